"""Celery peer of bench/throughput: a no-op task, task_acks_late, timed like the other peers.

Run by run.ts as `/usr/bin/python3 celery_peer.py` with CELERY_BENCH_BROKER (an AMQP URL with
its own vhost), CELERY_BENCH_N, CELERY_BENCH_POOL, CELERY_BENCH_CONCURRENCY,
CELERY_BENCH_PREFETCH_MULTIPLIER. It starts a worker subprocess, waits until it is ready,
publishes N tasks with delay(), waits for the N-th task to finish, stops the worker and prints
one JSON line: {"publish_ms", "e2e_ms", ...}.
"""
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time

from celery import Celery
from celery.signals import task_postrun, worker_ready

BROKER = os.environ.get('CELERY_BENCH_BROKER', 'amqp://guest:guest@127.0.0.1:5672//')
N = int(os.environ.get('CELERY_BENCH_N', '20000'))
STATE = os.environ.get('CELERY_BENCH_STATE', '')
CONFIRM = os.environ.get('CELERY_BENCH_CONFIRM', '0') == '1'

app = Celery('celery_peer', broker=BROKER)
app.conf.update(
    task_acks_late=True,
    task_ignore_result=True,
    worker_prefetch_multiplier=int(os.environ.get('CELERY_BENCH_PREFETCH_MULTIPLIER', '25')),
    worker_hijack_root_logger=False,
    task_serializer='json',
    accept_content=['json'],
    broker_transport_options={'confirm_publish': True} if CONFIRM else {},
)


@app.task(name='bench.noop')
def noop(i, pad):
    return None


# Created at import, in the worker's main process before the pool starts: forked pool children
# share it, and a thread pool shares it anyway.
_done = multiprocessing.Value('l', 0)


@task_postrun.connect
def _count(**_kwargs):
    with _done.get_lock():
        _done.value += 1
        if _done.value == N and STATE:
            with open(os.path.join(STATE, 'done.tmp'), 'w') as f:
                f.write(repr(time.time()))
            os.replace(os.path.join(STATE, 'done.tmp'), os.path.join(STATE, 'done'))


@worker_ready.connect
def _ready(**_kwargs):
    if STATE:
        open(os.path.join(STATE, 'ready'), 'w').close()


def _wait_for(path, timeout):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        if time.time() > deadline:
            raise TimeoutError(f'{os.path.basename(path)} not reached within {timeout} s')
        time.sleep(0.005)


def main():
    pool = os.environ.get('CELERY_BENCH_POOL', 'prefork')
    concurrency = os.environ.get('CELERY_BENCH_CONCURRENCY', '2')
    timeout = float(os.environ.get('CELERY_BENCH_TIMEOUT_S', '120'))
    state = tempfile.mkdtemp(prefix='celery-bench-')
    env = dict(os.environ, CELERY_BENCH_STATE=state)
    here = os.path.dirname(os.path.abspath(__file__))
    worker = subprocess.Popen(
        [sys.executable, '-m', 'celery', '-A', 'celery_peer', 'worker', '--pool', pool, '--concurrency', concurrency,
         '--loglevel', 'WARNING', '--without-gossip', '--without-mingle', '--without-heartbeat', '-n', 'bench@%h'],
        cwd=here, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    try:
        _wait_for(os.path.join(state, 'ready'), 60)
        pad = 'x' * 80
        start = time.time()
        for i in range(N):
            noop.delay(i, pad[: max(0, 84 - len(str(i)))])
        published = time.time()
        _wait_for(os.path.join(state, 'done'), timeout)
        with open(os.path.join(state, 'done')) as f:
            finished = float(f.read())
        print(json.dumps({
            'publish_ms': (published - start) * 1000,
            'e2e_ms': (finished - start) * 1000,
            'pool': pool,
            'concurrency': int(concurrency),
            'prefetch': int(concurrency) * app.conf.worker_prefetch_multiplier,
            'confirm_publish': CONFIRM,
            'celery': __import__('celery').__version__,
        }))
    finally:
        worker.terminate()
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == '__main__':
    main()
