"""Starts ralph's LRS on 127.0.0.1:PORT with its file-system backend, for the tests (run with the LRS's own Python).

With the fs backend every write after the first answers 500 unless the backend appends (its default operation
creates the file), so this sets APPEND before serving.
"""
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
