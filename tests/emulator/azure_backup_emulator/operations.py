"""Asynchronous operations (the 202 + operationsStatus/operationResults pattern, README §1).

An operation runs for a few emulated seconds. When the state settles it, ``on_done`` runs (it
usually creates a job and returns its id, which operationsStatus then reports).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable, Optional

from .timefmt import NULL_TIME, iso


@dataclass
class Operation:
    op_id: str
    kind: str  # item | vault | fabric | job | export
    scope: str  # lower-case key of what it is about (item name, job id, ...)
    start: object
    seconds: float
    status_path: Optional[str]  # operationsStatus path (None when the op has none)
    result_path: str  # operationResults path
    on_done: Optional[Callable] = None
    result: str = "Succeeded"  # Succeeded | Failed (decided when settled)
    error: Optional[dict] = None  # {"code", "message", "http_status"}
    job_id: Optional[str] = None
    job_ids: list = field(default_factory=list)
    result_status: int = 204  # operationResults when done (200 for PUT item)
    result_body: Optional[Callable] = None
    purpose: str = ""  # backup | restore | configure | delete | cancel | refresh ...
    payload: Optional[object] = None  # what the operation produced (e.g. exported jobs)
    settled: bool = False

    @property
    def end(self):
        return self.start + timedelta(seconds=self.seconds)

    def status(self, now):
        return "InProgress" if now < self.end else self.result

    def settle(self):
        """Run the completion hook once; it may set job_id / result / error."""
        if self.settled:
            return
        self.settled = True
        if self.on_done is not None:
            outcome = self.on_done(self)
            if isinstance(outcome, str):
                self.job_id = outcome

    def render_status(self, now, status_id=None):
        status = self.status(now)
        body = {
            "id": status_id or self.op_id,
            "name": self.op_id,
            "status": status,
            "startTime": iso(self.start),
            "endTime": NULL_TIME if status == "InProgress" else iso(self.end),
        }
        if status == "Failed" and self.error:
            body["error"] = {"code": self.error["code"], "message": self.error["message"]}
        if status == "Succeeded":
            if self.job_id:
                body["properties"] = {"objectType": "OperationStatusJobExtendedInfo", "jobId": self.job_id}
            elif self.job_ids:
                body["properties"] = {"objectType": "OperationStatusJobsExtendedInfo", "jobIds": list(self.job_ids)}
        return body
