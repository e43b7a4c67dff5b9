#!/usr/bin/env python3
"""apply-changes.lua before the cluster change (EVAL script 0, key names in ARGV, 10 per change) against today's
(every key declared as KEYS, indexes in ARGV, 9 per change): random call sequences (creates, updates, deletes, reads,
replays, changes inside and outside the window, without content or score) go to both on one scratch Redis, with
prefixes of their own; each call must return the same count, and everything each version left behind (states,
bucket scores and expiry times, stream entries, TTLs) must be equal, key names aside. Leaves its keys behind.
python3 bench/redis_script_equivalence.py PORT OLD.lua NEW.lua [SEQUENCES] [SEED]
e.g. OLD.lua from: git show 337dc86:src/main/resources/redis/apply-changes.lua"""
import random, socket, sys, time

class RedisError(Exception):
    pass

class Conn:
    def __init__(self, port, host='127.0.0.1'):
        self.s = socket.create_connection((host, port))
        self.f = self.s.makefile('rb')

    def send(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.s.sendall(b"".join(parts))
        return self.read()

    def read(self):
        line = self.f.readline().rstrip(b"\r\n")
        t, rest = line[:1], line[1:]
        if t == b'+':
            return rest.decode()
        if t == b'-':
            return RedisError(rest.decode())
        if t == b':':
            return int(rest)
        if t == b'$':
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if t == b'*':
            n = int(rest)
            if n < 0:
                return None
            return [self.read() for _ in range(n)]
        raise ValueError(line)


port = int(sys.argv[1]); old_script = open(sys.argv[2]).read(); new_script = open(sys.argv[3]).read()
trials = int(sys.argv[4]) if len(sys.argv) > 4 else 200
r = Conn(port)
BS, WS, TTL, MAXLEN = 10, 600, 3600, 100000
now = int(time.time())
current = now // BS
oldest, newest = current - WS // BS + 1, (now + 300) // BS
contents = ['aaaa', 'bbbb', 'cccc']
types = ['video', 'podcast', None]

def old_call(p, changes):
    args = [BS, WS, TTL, MAXLEN]
    for c in changes:
        args += [f'{p}:evs:{c["id"] // 1024}', c['id'], c['lsn'], c['op'], c['bucket'],
                 '' if c['bucket'] < 0 else f'{p}:lb:{c["bucket"]}', c['content'], c['score'],
                 f'{p}:stream:{c["type"] or "none"}', c['data']]
    return r.send('EVAL', old_script, 0, *args)

def new_call(p, changes):
    keys = [f'{p}:lb:{b}' for b in range(oldest, newest + 1)]
    index = {}
    def declare(k):
        if k not in index:
            keys.append(k); index[k] = len(keys)
        return index[k]
    per = []
    for c in changes:
        per += [declare(f'{p}:evs:{c["id"] // 1024}'), c['id'], c['lsn'], c['op'], c['bucket'], c['content'],
                c['score'], declare(f'{p}:stream:{c["type"] or "none"}'), c['data']]
    return r.send('EVAL', new_script, len(keys), *keys, BS, WS, TTL, MAXLEN, oldest, newest - oldest + 1, *per)

def dump(p):
    out = {}
    cursor = '0'
    found = []
    while True:
        cursor, keys = r.send('SCAN', cursor, 'MATCH', p + ':*', 'COUNT', 1000)
        found += keys
        if cursor == '0':
            break
    for k in found:
        name = k[len(p):]
        t = r.send('TYPE', k)
        if t == 'hash':
            v = r.send('HGETALL', k)
            value = {v[i]: v[i + 1].replace(p + ':', 'P:') for i in range(0, len(v), 2)}
        elif t == 'zset':
            value = r.send('ZRANGE', k, 0, -1, 'WITHSCORES')
        elif t == 'stream':
            value = [e[1] for e in r.send('XRANGE', k, '-', '+')]
        else:
            value = r.send('GET', k)
        ttl = r.send('TTL', k)
        out[name] = (t, value, r.send('EXPIRETIME', k) if t == 'zset' else (ttl > 0 if ttl != -1 else -1))
    return out

rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
calls = changes_total = 0
run = random.Random().randrange(10**9)
for trial in range(trials):
    po, pn = f'eqold{run}-{trial}', f'{{eqnew{run}-{trial}}}'
    ids = [rnd.randrange(0, 3000) for _ in range(8)]
    lsn = 100
    for _ in range(rnd.randint(1, 6)):
        batch = []
        for _ in range(rnd.randint(1, 12)):
            op = rnd.choice('cudr')
            lsn += rnd.choice([1, 1, 1, 2])
            c_lsn = lsn if rnd.random() > 0.2 else rnd.randint(90, lsn)  # replays
            bucket = rnd.choice([-1, rnd.randint(oldest, newest), rnd.randint(oldest, oldest + 3)])
            content = rnd.choice(contents + [''])
            score = 0 if op == 'd' or content == '' or rnd.random() < 0.1 else rnd.randint(1, 1000)
            batch.append(dict(id=rnd.choice(ids), lsn=c_lsn, op=op, bucket=bucket, content=content, score=score,
                              type=rnd.choice(types), data=f'{{"n":{rnd.random()}}}'))
        a, b = old_call(po, batch), new_call(pn, batch)
        assert not isinstance(a, RedisError) and not isinstance(b, RedisError), (a, b)
        assert a == b, (trial, a, b)
        calls += 1
        changes_total += len(batch)
    da, db = dump(po), dump(pn)
    assert da == db, (trial, set(da) ^ set(db), [k for k in da if da.get(k) != db.get(k)][:3])
print(f'equivalent: {trials} sequences, {calls} calls, {changes_total} changes; '
      f'declared buckets per call {newest - oldest + 1}')
