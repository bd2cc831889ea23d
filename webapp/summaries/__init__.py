"""A team's lesson summary, its whole life: asked for (requests), written by the worker (workers.summaries, which
only writes), moved on by the lead or the job (transitions: the one place its status changes), shown beside its
sources (queries, sections), reviewed (routes, templates/review) and read by the library (which uses queries).

The pages are `summaries.routes.bp` (URLs under /review), not imported here: the library and the reflection pages
import this package's plain functions without loading its routes."""
