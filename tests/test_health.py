from webapp.jobs import enqueue


def test_health_in_embedded_mode(client, session, make_user):
    user = make_user("ada@example.com")
    enqueue(session, "notifications.send", "waiting", user_id=user.id, text="x")
    session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "database": "ok", "outbox_waiting": 1, "queue": "in-process", "status": "ok", "writer": "offline",
    }


def test_health_reports_redis_and_queue_depth(database_url, redis_url):
    from webapp import create_app
    from webapp.settings import load_settings

    app = create_app(load_settings(database_url=database_url, redis_url=redis_url, secret_key="x",
                                   outbox_pump=False))
    report = app.test_client().get("/healthz").get_json()
    assert report["redis"] == "ok"
    assert report["rq_queued"] == 0
    assert report["queue"] == "rq"


def test_health_is_503_when_redis_is_down(database_url):
    from tests.support import free_port
    from webapp import create_app
    from webapp.settings import load_settings

    app = create_app(load_settings(database_url=database_url, redis_url=f"redis://127.0.0.1:{free_port()}/0",
                                   secret_key="x", outbox_pump=False))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["redis"].startswith("error")
    assert response.get_json()["status"] == "degraded"
