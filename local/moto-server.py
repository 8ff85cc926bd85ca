"""moto_server, answering one request at a time.

moto's own server (moto_server) handles requests on concurrent threads, and its models are
not atomic: two UpdateItem calls on one DynamoDB item can interleave inside moto and fail one
of them with "The document path provided in the update expression is invalid", which
DynamoDB never answers for a valid update. AWS applies each request to an item atomically.
Under the GIL moto gains nothing from the threads, so one lock around the application gives
the atomicity AWS has at no cost; connections are still accepted concurrently.

moto's EKS and EFS are completed first where they fall short of AWS (local/moto_eks.py: the
cluster security group, cluster updates; local/moto_efs.py: a subnet's addresses running out).

Usage: python3 local/moto-server.py HOST PORT. Exits 3 when moto is not importable, so the
caller can fall back to the moto_server command.
"""

import sys
import threading

try:
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    from moto_efs import complete_moto_efs
    from moto_eks import complete_moto_eks
except ImportError:
    sys.exit(3)


class OneAtATime:
    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # The whole answer is made inside the lock: moto builds it while iterating.
            return list(self.application(environ, start_response))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    complete_moto_efs()
    complete_moto_eks()
    application = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, OneAtATime(application), threaded=True)


if __name__ == "__main__":
    main()
