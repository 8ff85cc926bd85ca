"""moto_server, answering one request at a time.

moto's own server (moto_server) handles requests on concurrent threads, and its models are
not atomic: two UpdateItem calls on one DynamoDB item can interleave inside moto and fail one
of them with "The document path provided in the update expression is invalid", which
DynamoDB never answers for a valid update. AWS applies each request to an item atomically.
Under the GIL moto gains nothing from the threads, so one lock around the application gives
the atomicity AWS has at no cost; connections are still accepted concurrently.

The connections stay open between requests (HTTP/1.1 keep-alive, as AWS's endpoints keep
them): werkzeug's development server, which moto_server uses, closes each one after its answer,
so every call paid a new TCP connection and a new server thread, about three times the CPU of
the call itself on both sides (4.4 ms of Python and 3.5 ms of Node per GetItem, against 1.4 and
1.5 with the connection kept).

moto's EKS, EFS and Backup are completed first where they fall short of AWS (local/moto_eks.py:
the cluster security group, cluster updates; local/moto_efs.py: a subnet's addresses running
out; local/moto_backup.py: backup jobs, recovery points and restore jobs),
and its slow paths made fast with the same answers (local/moto_speed.py: DynamoDB items and
transactions, routing).

Usage: python3 local/moto-server.py HOST PORT. Exits 3 when moto is not importable, so the
caller can fall back to the moto_server command.
"""

import gc
import io
import json
import sys
import threading
from contextlib import contextmanager
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_to_bytes

try:
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.core.model_instances import reset_model_data
    from moto.ec2.models import ec2_backends
    from moto.efs.models import efs_backends
    from moto.server import DomainDispatcherApplication, create_backend_app

    from moto_backup import complete_moto_backup
    from moto_efs import complete_moto_efs, directories_of
    from moto_eks import complete_moto_eks
    from moto_speed import speed_up_moto
except ImportError:
    sys.exit(3)


KEEPING_RESET_PATH = "/_local/reset"
DIRECTORIES_PATH = "/_local/efs/directories"
TAGS_PATH = "/_local/tags"
DEFAULT_ACCOUNT = "123456789012"


PRIORITY_HEADER = "X-Local-Priority"
# The same header as WSGI names it in a request's environ.
PRIORITY_ENVIRON = "HTTP_" + PRIORITY_HEADER.upper().replace("-", "_")
FIRST = "api"


class OneAtATime:
    """One request at a time, a waiting request marked `X-Local-Priority: api` first.

    The door local mode's functions call AWS through (local/lambda/aws-call-recorder.ts) marks
    the calls of the API's functions: a caller waits for those. AWS serves each request on its
    own; here one process serves them all, so fifty workflows' calls would otherwise queue in
    front of a POST's. Among requests of one kind the order is the lock's (unspecified).
    """

    def __init__(self, application):
        self.application = application
        lock = threading.Lock()
        self.first_turn = threading.Condition(lock)
        self.other_turn = threading.Condition(lock)
        self.busy = False
        self.waiting_first = 0

    @contextmanager
    def turn(self, first=False):
        """Moto to this thread alone while inside; `first` goes before the unmarked waiting."""
        with self.first_turn:
            if first:
                self.waiting_first += 1
                while self.busy:
                    self.first_turn.wait()
                self.waiting_first -= 1
            else:
                while self.busy or self.waiting_first > 0:
                    self.other_turn.wait()
            self.busy = True
        try:
            yield
        finally:
            with self.first_turn:
                self.busy = False
                # One waiter wakes: a marked one if any waits (a woken one that finds the turn
                # taken waits again, and whoever took it wakes the next on its way out).
                (self.first_turn if self.waiting_first > 0 else self.other_turn).notify()

    def __call__(self, environ, start_response):
        with self.turn(environ.get(PRIORITY_ENVIRON) == FIRST):
            # The whole answer is made inside the turn: moto builds it while iterating.
            return list(self.application(environ, start_response))


class KeepAliveHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with persistent connections, the WSGI application called once per request.

    Werkzeug's development server closes the connection after every answer, so each AWS call
    paid a TCP connection and a new server thread; the SDK, the proxies and AWS itself keep
    connections open. Requests carry a Content-Length (or are chunked); every answer gets one.
    """

    protocol_version = "HTTP/1.1"
    application = None

    def log_message(self, format, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def environ(self, body):
        path, _, query = self.path.partition("?")
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        host, port = self.server.server_address[:2]
        environ = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "RAW_URI": self.path,
            "REQUEST_URI": self.path,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": self.client_address[1],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
                continue
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
                continue
            key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def serve(self):
        body = self.read_body()
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return lambda data: answer.setdefault("written", []).append(data)

        try:
            chunks = self.application(self.environ(body), start_response)
            payload = b"".join(answer.get("written", [])) + b"".join(chunks)
        except Exception:
            traceback.print_exc()
            answer = {"status": "500 Internal Server Error", "headers": []}
            payload = b""
        code, _, reason = answer["status"].partition(" ")
        code = int(code)
        self.send_response(code, reason)
        for name, value in answer["headers"]:
            if name.lower() not in ("connection", "content-length", "transfer-encoding"):
                self.send_header(name, value)
        bodiless = self.command == "HEAD" or code in (204, 304) or 100 <= code < 200
        if not bodiless or self.command == "HEAD":
            self.send_header("Content-Length", str(len(payload)))
        if self.headers.get("Connection", "").lower() == "close":
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_with(b"" if bodiless else payload)

    def do_POST(self):
        if self.path.startswith(KEEPING_RESET_PATH):
            return self.reset_keeping()
        if self.path == TAGS_PATH:
            return self.tags()
        return self.serve()

    def tags(self):
        """The tags of resources, by ARN, as the model holds them now (POST /_local/tags, body
        {"region": …, "resources": [arn, …]}): what the AWS call recorder reads before it
        forwards a call, for the IAM evaluation's `aws:ResourceTag/*`. One request for a call's
        resources instead of a DescribeFileSystems, DescribeAccessPoints or DescribeTags each;
        the same tags those answer (test/integration/moto-server.test.ts compares them). Served
        in its turn like any request, first when marked (a lookup for an API function's call)."""
        body = json.loads(self.read_body() or b"{}")
        with KeepAliveHandler.application.turn(self.headers.get(PRIORITY_HEADER) == FIRST):
            found = tags_of(body.get("resources", []), body.get("region", "us-east-1"))
        self.answer(200, {"tags": found})

    def answer(self, code, body):
        """A JSON answer."""
        payload = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_with(payload)

    def end_with(self, payload):
        """Ends the head and sends it with the body in one write: two small writes meet Nagle's
        algorithm and delayed ACKs, 40 ms on a kept connection."""
        self._headers_buffer.append(b"\r\n")
        if payload:
            self._headers_buffer.append(payload)
        self.flush_headers()

    def reset_keeping(self):
        """Empties every service but those named in `keep` (POST /_local/reset?keep=iam,sts).

        The tests empty moto before each file but keep IAM and STS: the functions' role
        sessions then stay valid, so a test process keeps their execution environments (and
        the keys they were started with) from file to file. moto's own /moto-api/reset
        empties everything.
        """
        self.read_body()
        query = parse_qs(self.path.partition("?")[2])
        keep = {name for value in query.get("keep", []) for name in value.split(",") if name}
        with KeepAliveHandler.application.turn():
            with backend_lock:
                kept = []
                for backend in list(BackendDict._instances):
                    if backend.service_name in keep:
                        if backend not in kept:
                            kept.append(backend)
                        continue
                    for account_specific_backend in backend.values():
                        account_specific_backend.reset()
                    backend.clear()
                BackendDict._instances[:] = kept
            reset_model_data()
        self.answer(200, {})

    def do_GET(self):
        if self.path.startswith(DIRECTORIES_PATH):
            return self.directories()
        return self.serve()

    def directories(self):
        """What a file system holds, for the Kubernetes emulator's pods
        (GET /_local/efs/directories?fileSystemId=fs-…&region=…[&account=…]): EFS has no API that
        lists a file system's files, so local mode asks the model (local/moto_efs.py)."""
        self.read_body()
        query = parse_qs(self.path.partition("?")[2])

        def first(name, default=""):
            return (query.get(name) or [default])[0]

        with KeepAliveHandler.application.turn():
            found = directories_of(
                first("fileSystemId"),
                first("account", DEFAULT_ACCOUNT),
                first("region", "us-east-1"),
            )
        if found is None:
            self.answer(404, {"message": "no such file system"})
        else:
            self.answer(200, {"directories": found})

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = serve


def tags_of(arns, region):
    """The tags of each resource of `arns` that exists and has any, by ARN: EFS file systems
    and access points, and any EC2 resource. Read as the SDK reads them with local mode's own
    keys (moto's default account, the request's region); a pattern (`security-group/*`) or a
    resource of another kind names none."""
    found = {}
    for arn in arns:
        parts = str(arn).split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            continue
        service, kind, _, resource_id = parts[2], *parts[5].partition("/")
        if not resource_id or "*" in resource_id:
            continue
        if service == "elasticfilesystem" and kind in ("file-system", "access-point"):
            backend = efs_backends[DEFAULT_ACCOUNT][region]
            known = backend.file_systems_by_id if kind == "file-system" else backend.access_points
            if resource_id not in known:
                continue
            tags = {tag["Key"]: tag["Value"] for tag in backend.list_tags_for_resource(resource_id)}
        elif service == "ec2":
            tags = dict(ec2_backends[DEFAULT_ACCOUNT][region].tags.get(resource_id, {}))
        else:
            continue
        if tags:
            found[arn] = tags
    return found


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    complete_moto_backup()
    complete_moto_efs()
    complete_moto_eks()
    speed_up_moto()
    application = DomainDispatcherApplication(create_backend_app)
    KeepAliveHandler.application = OneAtATime(application)
    # A backlog as werkzeug's: the default of 5 drops connections when dozens open at once.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer((host, port), KeepAliveHandler)
    server.daemon_threads = True
    # moto's modules and the completions above are tens of thousands of objects that live as
    # long as the server: frozen, the cyclic collector no longer walks them on every full
    # collection, and it runs less often (a request allocates thousands of short-lived objects,
    # freed by reference counting; the collector is only for cycles).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    server.serve_forever()


if __name__ == "__main__":
    main()
