"""A minimal LSP client over a child process's stdio, standard library only: for the latency
bench (bench/lsp/latency.py) and for the raw-bytes tests of tests/lsp (malformed messages,
which a real client cannot send). Not a general client: requests are answered in order of
arrival, notifications are queued with the time they arrived."""

import json
import queue
import subprocess
import threading
import time


class RawClient:
    def __init__(self, cmd, cwd=None, env=None):
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        self.next_id = 0
        self.responses = {}
        self.notifications = queue.Queue()
        self.cond = threading.Condition()
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace"))

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    with self.cond:
                        self.cond.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = out.read(length)
            msg = json.loads(body)
            now = time.perf_counter()
            if "method" in msg and "id" in msg:
                # A request from the server (registerCapability): accept it.
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif "method" in msg:
                self.notifications.put((now, msg))
            else:
                with self.cond:
                    self.responses[json.dumps(msg.get("id"))] = msg
                    self.cond.notify_all()

    def send_bytes(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        body = json.dumps(msg).encode("utf-8")
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params, timeout=30):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait_response(rid, timeout)

    def wait_response(self, rid, timeout=30):
        key = json.dumps(rid)
        deadline = time.monotonic() + timeout
        with self.cond:
            while key not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise TimeoutError(f"no response to {rid}")
                self.cond.wait(left)
            return self.responses.pop(key)

    def wait_notification(self, predicate, timeout=30):
        """The first queued notification `predicate` accepts (others are dropped), with the
        time it arrived."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no such notification")
            at, msg = self.notifications.get(timeout=left)
            if predicate(msg):
                return at, msg

    def initialize(self, root_uri=None, capabilities=None, options=None):
        caps = capabilities or {}
        result = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root_uri,
                "capabilities": caps,
                "initializationOptions": options,
            },
        )
        self.notify("initialized", {})
        return result

    def close(self):
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            return self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            return self.proc.wait()
