"""Runs document rendering in worker processes, a few at a time, off the event loop.

Each job is a fresh ``python -m server.documents.render`` in its own session (process group), not
a long-lived ProcessPoolExecutor worker: a job that hangs in PDFium or LibreOffice is killed with
everything it started, and a crash costs one job instead of breaking a shared pool. The start-up
cost (about 0.15 s: Python plus pypdfium2) is small beside a render.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import sys
from dataclasses import asdict
from pathlib import Path

from server.db.models import Document
from server.documents.fair_slots import FairSlots
from server.documents.render import RenderFailure, RenderJob, RenderResult
from server.documents.store import DocumentStore, RenderState
from server.settings import Settings

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The worker watches its own deadline; this is the margin before the queue kills it regardless.
KILL_GRACE = 15.0
TERM_GRACE = 3.0


def max_pages_for(document: Document, settings: Settings) -> int:
    """Files picked in a meeting (by anyone there, unchecked by a rep) get tighter limits."""
    if document.meeting_id is not None:
        return min(settings.meeting_document_max_pages, settings.document_max_pages)
    return settings.document_max_pages


class RenderQueue:
    """Renders each uploaded revision once, at most ``settings.render_workers`` at a time."""

    def __init__(self, store: DocumentStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        workers = settings.render_workers
        # One worker always stays for the other contracts, and a meeting's picked files use one.
        self._slots = FairSlots(workers, contract_share=max(1, workers - 1), meeting_share=1)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def submit(self, document: Document) -> None:
        """Render the document's current revision; a render of an older revision is dropped."""
        self.cancel(document.id)
        task = asyncio.create_task(self._render(document), name=f"render {document.id} r{document.revision}")
        self._tasks[document.id] = task
        task.add_done_callback(lambda done: self._forget(document.id, done))

    def cancel(self, document_id: str) -> None:
        task = self._tasks.pop(document_id, None)
        if task is not None:
            task.cancel()

    async def resume_unfinished(self) -> None:
        """Start again what a stopped server left pending or half-rendered."""
        for document in await self.store.unfinished():
            if document.render_state == RenderState.RENDERING:
                await self.store.transition(document.id, document.revision, RenderState.PENDING)
            self.submit(document)

    async def wait(self, document_id: str) -> None:
        """Until the document's render job (if any) ends; for callers that need the outcome now."""
        task = self._tasks.get(document_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _forget(self, document_id: str, done: asyncio.Task[None]) -> None:
        if self._tasks.get(document_id) is done:
            del self._tasks[document_id]
        if not done.cancelled() and done.exception() is not None:
            log.error("render task of %s failed", document_id, exc_info=done.exception())

    async def _render(self, document: Document) -> None:
        contract = await self.store.contract_of(document)
        async with self._slots.held(contract, document.meeting_id):
            if not await self.store.transition(document.id, document.revision, RenderState.RENDERING):
                return
            final = self.store.render_dir(document)
            partial = final.with_name("render.partial")
            await asyncio.to_thread(shutil.rmtree, partial, True)
            job = RenderJob(
                source=str(self.store.original_path(document)),
                kind=document.kind,
                out_dir=str(partial),
                soffice=self.settings.soffice,
                max_pages=max_pages_for(document, self.settings),
                timeout=self.settings.meeting_render_timeout
                if document.meeting_id
                else self.settings.render_timeout,
                encrypted=document.encrypted,
            )
            result = await self._run_worker(job)
            if result.failure is None:
                await asyncio.to_thread(os.replace, partial, final)
                await self.store.transition(
                    document.id, document.revision, RenderState.READY, page_count=result.page_count
                )
                log.info("document %s r%d: %d pages %s", document.id, document.revision, result.page_count,
                         result.timings)  # fmt: skip
            else:
                await asyncio.to_thread(shutil.rmtree, partial, True)
                log.warning("document %s r%d not rendered: %s %s", document.id, document.revision,
                            result.failure, result.detail)  # fmt: skip
                await self.store.transition(
                    document.id, document.revision, RenderState.FAILED, failure=RenderFailure(result.failure)
                )

    async def _run_worker(self, job: RenderJob) -> RenderResult:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server.documents.render", json.dumps(asdict(job)),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            cwd=PROJECT_ROOT, start_new_session=True,
        )  # fmt: skip
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), job.timeout + KILL_GRACE)
        except TimeoutError:
            return RenderResult(failure=RenderFailure.TIMEOUT.value, detail="worker killed")
        finally:
            if process.returncode is None:
                await _stop(process)
        lines = stdout.decode(errors="replace").strip().splitlines()
        try:
            return RenderResult(**json.loads(lines[-1]))
        except (IndexError, ValueError, TypeError):
            said = stderr.decode(errors="replace")[-2000:]
            return RenderResult(
                failure=RenderFailure.INTERNAL.value, detail=f"worker exit {process.returncode}: {said}"
            )


async def _stop(process: asyncio.subprocess.Process) -> None:
    """End a worker that was cancelled or ran over, and everything it started.

    SIGTERM first: the worker then kills its soffice (which runs in a process group of its own so
    a timeout can kill it whole). SIGKILL follows for a worker stuck inside PDFium's C code, where
    no Python signal handler runs; by then soffice has finished anyway.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(asyncio.shield(process.wait()), TERM_GRACE)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()
