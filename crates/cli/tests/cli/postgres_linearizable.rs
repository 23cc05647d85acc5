//! Two instances on one PostgreSQL database, eight clients sending creates, reads, enables,
//! disables and deletes of a few connections to either instance, one instance killed (SIGKILL)
//! midway: the history each connection went through is linearizable (section 10 of the
//! contract), checked by `exsited-test-history`.
//!
//! A request that never connected (the killed instance refuses) was not sent and is left out; a
//! request that connected but got no whole answer (reset, timeout, killed mid-request) has an
//! unknown outcome: it may have taken effect, at any time after it was sent, or not at all. A
//! create with an unknown outcome is left out too: nobody learnt its id, so no other operation
//! of the run can name its connection. The randomness is seeded and the clients run until they
//! have done enough (a time and a count), so the check is on linearizability only.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use exsited_secrets::SecretKey;
use exsited_test_history::connection::{Answer, Call, ConnectionModel, Status};
use exsited_test_history::{Operation, check, explain};
use exsited_test_postgres::Cluster;
use serde_json::json;

use crate::support::{self, Response, Served, login};

const CLIENTS: usize = 8;
/// Connections in play at a time: few, so that operations collide.
const SLOTS: usize = 3;
const SEED: u64 = 0x5ca1_ab1e;
/// The first phase lasts this long and until this many operations were answered...
const BEFORE_KILL: Duration = Duration::from_millis(1_500);
const ANSWERED_BEFORE_KILL: usize = 200;
/// ...the second this long after the kill, and until every client did this many more.
const AFTER_KILL: Duration = Duration::from_millis(1_500);
const EACH_AFTER_KILL: usize = 20;
/// Far longer than any answer takes: a request still unanswered then has an unknown outcome.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// One operation as its client saw it.
#[derive(Debug)]
struct Record {
    /// The client thread, or `CLIENTS` for the reads after the run.
    client: usize,
    instance: usize,
    /// The connection it was about (for a create: the one it created).
    connection: String,
    call: Call,
    /// Microseconds since the run began, on one monotonic clock.
    invoked: u64,
    /// When the answer was read, and what it was; `None` for an unknown outcome.
    answer: Option<(u64, Answer)>,
}

/// What became of one request.
enum Sent {
    /// It never left: the connection was refused.
    Not,
    /// It may have been processed; no whole answer came back.
    Unknown,
    /// The answer.
    Answered(Response),
}

/// Sends one request on a fresh connection.
fn send(addr: SocketAddr, bytes: &[u8]) -> Sent {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return Sent::Not;
    };
    if stream.set_read_timeout(Some(REPLY_TIMEOUT)).is_err() || stream.write_all(bytes).is_err() {
        return Sent::Unknown;
    }
    match support::read_response(&mut stream) {
        Ok(response) => Sent::Answered(response),
        Err(_) => Sent::Unknown,
    }
}

/// The request of `call` on `connection`.
fn request(call: Call, connection: &str, token: &str) -> Vec<u8> {
    let (method, path, body) = match call {
        Call::Create => (
            "POST",
            "/api/v3/integration".to_owned(),
            Some(
                json!({"provider": "xero", "remote_instance_id": "org-linear",
                "integration_client_secret": "PARTNER-SECRET"}),
            ),
        ),
        Call::Get => (
            "GET",
            format!("/api/v2/integration-connections/{connection}"),
            None,
        ),
        Call::Enable => (
            "POST",
            format!("/api/v3/integration/{connection}/enable"),
            None,
        ),
        Call::Disable => (
            "POST",
            format!("/api/v3/integration/{connection}/disable"),
            None,
        ),
        Call::Delete => ("DELETE", format!("/api/v3/integration/{connection}"), None),
    };
    support::request_bytes(method, &path, Some(token), body.as_ref())
}

/// The model's answer for an HTTP answer, and for a create the id it created; `Err` with a
/// description for an answer the API does not define for the operation.
fn answer_of(call: Call, response: &Response) -> Result<(Answer, Option<String>), String> {
    let body = || response.json();
    let answer = match (call, response.status) {
        (Call::Create, 201) => {
            return match body()["integration"]["integration_connection"]["uuid"].as_str() {
                Some(id) => Ok((Answer::Created, Some(id.to_owned()))),
                None => Err("a create answered 201 without an id".to_owned()),
            };
        }
        (Call::Get, 200) => match body()["integration_connection"]["status"].as_str() {
            Some("ACTIVE") => Answer::Found(Status::Active),
            Some("INACTIVE") => Answer::Found(Status::Inactive),
            other => return Err(format!("a read showed status {other:?}")),
        },
        (Call::Enable | Call::Disable, 200) => Answer::Done,
        (Call::Delete, 204) => Answer::Deleted,
        (Call::Get | Call::Enable | Call::Disable | Call::Delete, 404) => Answer::NotFound,
        (call, status) => {
            return Err(format!(
                "{call:?} answered {status}: {}",
                String::from_utf8_lossy(&response.body)
            ));
        }
    };
    Ok((answer, None))
}

/// What the clients share.
struct Run {
    addrs: [SocketAddr; 2],
    tokens: Vec<String>,
    started: Instant,
    /// The connection each slot holds, replaced by every create in it.
    slots: Mutex<[Option<String>; SLOTS]>,
    records: Mutex<Vec<Record>>,
    /// Answers the API does not define, with who got them.
    unexpected: Mutex<Vec<String>>,
    answered: AtomicUsize,
    /// When instance one was killed.
    killed_at: Mutex<Option<Instant>>,
    /// Set when the run must end early (a client got an answer the API does not define).
    stop: AtomicBool,
    /// Requests that never left (refused by the killed instance).
    not_sent: AtomicUsize,
    /// Creates with an unknown outcome, left out.
    lost_creates: AtomicUsize,
}

impl Run {
    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX - 1)
    }

    /// One client: random operations on random slots, each to a random instance that has not
    /// refused it a connection.
    fn client(&self, client: usize) {
        let mut rng = fastrand::Rng::with_seed(SEED + client as u64);
        let mut refused = [false; 2];
        let mut after_kill = 0;
        while !self.stop.load(Ordering::SeqCst) {
            let killed_at = *self.killed_at.lock().unwrap();
            if killed_at.is_some_and(|at| at.elapsed() >= AFTER_KILL)
                && after_kill >= EACH_AFTER_KILL
            {
                return;
            }
            let slot = rng.usize(0..SLOTS);
            let current = self.slots.lock().unwrap()[slot].clone();
            let (call, connection) = match current {
                None => (Call::Create, String::new()),
                Some(id) => {
                    // A connection lives for a dozen operations or so, then is read, enabled
                    // and deleted again for as long after its delete, until a create replaces
                    // it in its slot.
                    let call = match rng.u8(0..100) {
                        0..6 => Call::Create,
                        6..46 => Call::Get,
                        46..68 => Call::Enable,
                        68..90 => Call::Disable,
                        _ => Call::Delete,
                    };
                    (call, id)
                }
            };
            let instance = match refused {
                [false, false] => rng.usize(0..2),
                [true, false] => 1,
                [false, true] => 0,
                [true, true] => {
                    self.fail(format!(
                        "client {client}: both instances refuse connections"
                    ));
                    return;
                }
            };
            let invoked = self.now();
            let sent = send(
                self.addrs[instance],
                &request(call, &connection, &self.tokens[client]),
            );
            let returned = self.now();
            let (connection, answer) = match sent {
                Sent::Not => {
                    self.not_sent.fetch_add(1, Ordering::SeqCst);
                    refused[instance] = true;
                    continue;
                }
                Sent::Unknown if call == Call::Create => {
                    self.lost_creates.fetch_add(1, Ordering::SeqCst);
                    continue;
                }
                Sent::Unknown => (connection, None),
                Sent::Answered(response) => match answer_of(call, &response) {
                    Ok((answer, created)) => {
                        self.answered.fetch_add(1, Ordering::SeqCst);
                        if let Some(id) = &created {
                            self.slots.lock().unwrap()[slot] = Some(id.clone());
                        }
                        (created.unwrap_or(connection), Some((returned, answer)))
                    }
                    Err(what) => {
                        self.fail(format!("client {client} on instance {instance}: {what}"));
                        return;
                    }
                },
            };
            if killed_at.is_some() {
                after_kill += 1;
            }
            self.records.lock().unwrap().push(Record {
                client,
                instance,
                connection,
                call,
                invoked,
                answer,
            });
        }
    }

    fn fail(&self, what: String) {
        self.unexpected.lock().unwrap().push(what);
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Two instances on a new database of `cluster`, one key file, one client per thread.
fn two_instances(dir: &Path, cluster: &Cluster) -> (Served, Served) {
    let url = cluster.url(&cluster.create_database());
    let key = dir.join("secret.key");
    SecretKey::generate().write_new_file(&key).unwrap();
    let mut args = vec![
        "--postgres".to_owned(),
        url,
        "--secret-key-file".to_owned(),
        key.to_str().unwrap().to_owned(),
    ];
    for client in 0..CLIENTS {
        args.push("--client".to_owned());
        args.push(format!("c{client}:secret-{client}:acme"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    std::thread::scope(|s| {
        let one = s.spawn(|| Served::start(dir, &args, &[]));
        let two = s.spawn(|| Served::start(dir, &args, &[]));
        (one.join().unwrap(), two.join().unwrap())
    })
}

#[test]
fn every_connection_is_linearizable_across_two_instances_with_one_killed() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start();
    let (mut one, two) = two_instances(dir.path(), &cluster);
    let addrs = [one.addr, two.addr];
    // Each client its own id: a grant revokes the previous token of its client.
    let tokens = (0..CLIENTS)
        .map(|c| login(addrs[c % 2], &format!("c{c}"), &format!("secret-{c}")))
        .collect();
    let run = Run {
        addrs,
        tokens,
        started: Instant::now(),
        slots: Mutex::new(Default::default()),
        records: Mutex::new(Vec::new()),
        unexpected: Mutex::new(Vec::new()),
        answered: AtomicUsize::new(0),
        killed_at: Mutex::new(None),
        stop: AtomicBool::new(false),
        not_sent: AtomicUsize::new(0),
        lost_creates: AtomicUsize::new(0),
    };
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let run = &run;
            scope.spawn(move || run.client(client));
        }
        while run.started.elapsed() < BEFORE_KILL
            || run.answered.load(Ordering::SeqCst) < ANSWERED_BEFORE_KILL
        {
            if run.stop.load(Ordering::SeqCst) {
                return;
            }
            if run.started.elapsed() > Duration::from_secs(60) {
                run.fail("the clients stalled before the kill".to_owned());
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        *run.killed_at.lock().unwrap() = Some(Instant::now());
        one.child.kill().unwrap(); // SIGKILL
        one.child.wait().unwrap();
    });
    let unexpected = run.unexpected.lock().unwrap().clone();
    assert!(unexpected.is_empty(), "{unexpected:#?}");

    // One read of every connection on the survivor once everything else is over.
    let mut records = std::mem::take(&mut *run.records.lock().unwrap());
    let created: Vec<String> = records
        .iter()
        .filter(|r| r.call == Call::Create)
        .map(|r| r.connection.clone())
        .collect();
    for connection in created {
        let invoked = run.now();
        let read = request(Call::Get, &connection, &run.tokens[1]);
        let Sent::Answered(response) = send(two.addr, &read) else {
            panic!("the surviving instance did not answer a read of {connection}");
        };
        let (answer, _) = answer_of(Call::Get, &response).unwrap();
        records.push(Record {
            client: CLIENTS,
            instance: 1,
            connection,
            call: Call::Get,
            invoked,
            answer: Some((run.now(), answer)),
        });
    }
    assert!(
        records
            .iter()
            .any(|r| r.instance == 0 && r.answer.is_some()),
        "both instances served before the kill"
    );

    let (connections, violations) = check_each_connection(&records);
    eprintln!(
        "{} operations on {connections} connections ({}); left out: {} not sent, {} creates \
         with an unknown outcome",
        records.len(),
        tally(&records),
        run.not_sent.load(Ordering::SeqCst),
        run.lost_creates.load(Ordering::SeqCst)
    );
    const SHOWN: usize = 3;
    let killed_at = run
        .killed_at
        .lock()
        .unwrap()
        .map(|at| (at - run.started).as_micros());
    assert!(
        violations.is_empty(),
        "{} of {connections} connections have a history that is not linearizable (the first \
         {SHOWN} below; times in µs since the start; instance one was killed at {} µs):\n{}",
        violations.len(),
        killed_at.unwrap_or_default(),
        violations[..violations.len().min(SHOWN)].join("\n")
    );
    assert!(two.terminate().success());
}

/// Checks the history of every connection on its own (linearizability is local); the number
/// of connections, and an explanation of each history that is not linearizable.
fn check_each_connection(records: &[Record]) -> (usize, Vec<String>) {
    let mut by_connection: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in records {
        let history = by_connection.entry(&record.connection).or_default();
        history.push(record);
    }
    let mut violations = Vec::new();
    for (connection, history) in &by_connection {
        let operations: Vec<Operation<Call, Answer>> = history
            .iter()
            .map(|r| match r.answer {
                Some((at, answer)) => Operation::returned(r.call, r.invoked, at, answer),
                None => Operation::unknown(r.call, r.invoked),
            })
            .collect();
        let checked = check(&ConnectionModel, &operations).unwrap();
        if !checked.verdict.is_linearizable() {
            let label = |i: usize| {
                let r = history[i];
                let who = match r.client {
                    CLIENTS => "final read".to_owned(),
                    client => format!("client {client}"),
                };
                format!("{who:<10} on {}", ["one", "two"][r.instance])
            };
            violations.push(format!(
                "connection {connection}:\n{}",
                explain(&operations, &checked.verdict, label)
            ));
        }
    }
    (by_connection.len(), violations)
}

/// How many operations got each answer, for the log of a passing run.
fn tally(records: &[Record]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in records {
        let answer = r
            .answer
            .map_or("unknown".to_owned(), |(_, a)| format!("{a:?}"));
        *counts.entry(format!("{:?} {answer}", r.call)).or_default() += 1;
    }
    let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    counts.join(", ")
}
