//! Tests and benchmarks only: a throwaway PostgreSQL cluster for a test run, listening on a Unix socket in its
//! own temporary directory (so parallel tests never fight over a TCP port), with a database
//! per fixture.
//!
//! [`Cluster::start`] runs `initdb` and `pg_ctl start` (as the `postgres` user when the tests
//! run as root, since PostgreSQL refuses to run as root), and dropping the [`Cluster`] stops the
//! server and removes its files, also when the test panics. Two roles exist: a superuser for
//! the test's own inspection, and `exsited`, an ordinary role that owns the databases the code
//! under test uses, with password authentication on the socket.
//!
//! When PostgreSQL cannot be found or started, [`Cluster::start`] panics with a message saying
//! where it looked and how to fix it: a test that needs a real database never skips silently.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The environment variable naming the directory with `initdb`, `pg_ctl`, `postgres` and
/// `psql`, when they are not in `/usr/lib/postgresql/*/bin`.
pub const BIN_ENV: &str = "EXSITED_TEST_PG_BIN";

/// The ordinary role the code under test connects as.
pub const ROLE: &str = "exsited";
/// The superuser of the cluster.
pub const SUPERUSER: &str = "admin";
/// The password of both roles: the cluster lives in a directory only its user can enter.
pub const PASSWORD: &str = "exsited-test-password";

/// The OS user PostgreSQL runs as when the tests run as root.
const RUN_AS: &str = "postgres";

/// How a cluster is started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// `fsync = off`: fast, for tests that do not kill the machine.
    #[default]
    Fast,
    /// `fsync = on`, as in production: for crash and durability tests.
    Durable,
}

/// A running PostgreSQL cluster, stopped and removed on drop.
#[derive(Debug)]
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// `Some("postgres")` when commands must run as that user.
    run_as: Option<&'static str>,
    databases: AtomicUsize,
    stopped: bool,
}

impl Cluster {
    /// Starts a fast cluster (`fsync = off`).
    ///
    /// # Panics
    ///
    /// When PostgreSQL is not installed or does not start, saying how to fix it.
    pub fn start() -> Self {
        Self::start_with(Durability::Fast)
    }

    /// Starts a cluster.
    ///
    /// # Panics
    ///
    /// When PostgreSQL is not installed or does not start, saying how to fix it.
    pub fn start_with(durability: Durability) -> Self {
        let bin = find_bin().unwrap_or_else(|looked| {
            panic!(
                "these tests need PostgreSQL (initdb, pg_ctl, postgres, psql) and found none \
                 (looked in {looked}). Install it: `apt-get install postgresql` (Debian, \
                 Ubuntu), or set {BIN_ENV} to the directory that holds initdb."
            )
        });
        let run_as = is_root().then_some(RUN_AS);
        let dir = tempfile::Builder::new()
            .prefix("exsited-pg-")
            .tempdir()
            .expect("a temporary directory for the cluster");
        let cluster = Self {
            dir,
            bin,
            run_as,
            databases: AtomicUsize::new(0),
            stopped: true,
        };
        cluster.init(durability);
        let mut cluster = cluster;
        cluster.start_again();
        cluster.psql_admin(
            "postgres",
            &format!("CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"),
        );
        cluster
    }

    fn init(&self, durability: Durability) {
        if let Some(user) = self.run_as {
            let (uid, gid) = user_ids(user);
            std::os::unix::fs::chown(self.dir.path(), Some(uid), Some(gid))
                .expect("hand the cluster's directory to the postgres user");
        }
        let pwfile = self.dir.path().join("pwfile");
        std::fs::write(&pwfile, PASSWORD).expect("write the password file");
        if let Some(user) = self.run_as {
            let (uid, gid) = user_ids(user);
            std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid)).expect("chown pwfile");
        }
        let data = self.data_dir();
        self.run_checked(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                SUPERUSER.as_ref(),
                "--pwfile".as_ref(),
                pwfile.as_os_str(),
                "--auth=scram-sha-256".as_ref(),
                "--no-instructions".as_ref(),
                "--no-sync".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--locale=C".as_ref(),
            ],
        );
        let fsync = match durability {
            Durability::Fast => "off",
            Durability::Durable => "on",
        };
        let conf = format!(
            "\nlisten_addresses = ''\nunix_socket_directories = '{}'\nfsync = {fsync}\n\
             max_connections = 200\nshared_buffers = 32MB\n",
            self.socket_dir().display()
        );
        append(&data.join("postgresql.conf"), &conf);
    }

    /// The directory that holds the server's socket: the `host` of a connection string.
    pub fn socket_dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// The cluster's data directory (its tables' files and the WAL).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A new, empty database owned by [`ROLE`]; its name.
    pub fn create_database(&self) -> String {
        let n = self.databases.fetch_add(1, Ordering::SeqCst);
        let name = format!("db{n}");
        self.psql_admin("postgres", &format!("CREATE DATABASE {name} OWNER {ROLE}"));
        name
    }

    /// The connection string (key=value form) of `database` as [`ROLE`].
    pub fn url(&self, database: &str) -> String {
        format!(
            "host={} user={ROLE} password={PASSWORD} dbname={database}",
            self.socket_dir().display()
        )
    }

    /// Runs `sql` in `database` as the superuser (what only it may do: create roles and
    /// databases, checkpoint) and returns psql's unaligned output.
    fn psql_admin(&self, database: &str, sql: &str) -> String {
        self.psql_as(SUPERUSER, database, sql)
    }

    /// Runs `sql` in `database` as [`ROLE`], the user the code under test connects as.
    ///
    /// # Panics
    ///
    /// When the statement fails.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        self.psql_as(ROLE, database, sql)
    }

    fn psql_as(&self, user: &str, database: &str, sql: &str) -> String {
        let output = Command::new(self.bin.join("psql"))
            .arg(format!(
                "host={} user={user} dbname={database}",
                self.socket_dir().display()
            ))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "psql failed on {sql:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Whether `needle` occurs in any file of the data directory (tables, indexes, the WAL, the
    /// free space maps...), after a `CHECKPOINT` has written every dirty page out.
    pub fn files_hold(&self, needle: &[u8]) -> bool {
        self.psql_admin("postgres", "CHECKPOINT");
        let finder = memchr::memmem::Finder::new(needle);
        let mut stack = vec![self.data_dir()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                match entry.file_type() {
                    Ok(t) if t.is_dir() => stack.push(path),
                    Ok(t) if t.is_file() => {
                        // Files can vanish between the listing and the read (temporary files).
                        if let Ok(bytes) = std::fs::read(&path)
                            && finder.find(&bytes).is_some()
                        {
                            return true;
                        }
                    }
                    _ => {}
                }
            }
        }
        false
    }

    /// Starts the server (again, after [`stop`](Self::stop)) on the same files: after an
    /// immediate stop it recovers from its WAL first, as after a crash.
    ///
    /// # Panics
    ///
    /// When the server does not start.
    pub fn start_again(&mut self) {
        if self.stopped {
            let data = self.data_dir();
            let log = self.dir.path().join("server.log");
            self.run_checked(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "start".as_ref(),
                ],
            );
            self.stopped = false;
        }
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`): every server process is aborted
    /// without a checkpoint, as in a crash, and the next start recovers from the WAL. The files
    /// stay until drop.
    pub fn stop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            let data = self.data_dir();
            let _ = self.run(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-m".as_ref(),
                    "immediate".as_ref(),
                    "-w".as_ref(),
                    "stop".as_ref(),
                ],
            );
        }
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> std::io::Result<Output> {
        let program = self.bin.join(program);
        let mut command = match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        command.args(args).current_dir(self.dir.path()).output()
    }

    fn run_checked(&self, program: &str, args: &[&std::ffi::OsStr]) {
        let output = self
            .run(program, args)
            .unwrap_or_else(|e| panic!("cannot run {program} from {}: {e}", self.bin.display()));
        if !output.status.success() {
            let log =
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            panic!(
                "{program} failed ({}): {}{}\n{log}\nPostgreSQL is installed at {} but did not \
                 start; as root it runs as the `{RUN_AS}` user, which must exist.",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
                self.bin.display()
            );
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The directory of `initdb`: [`BIN_ENV`], else the newest `/usr/lib/postgresql/*/bin`. On
/// failure, where it looked.
fn find_bin() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os(BIN_ENV) {
        let dir = PathBuf::from(dir);
        return if dir.join("initdb").is_file() {
            Ok(dir)
        } else {
            Err(format!("{BIN_ENV}={}", dir.display()))
        };
    }
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "/usr/lib/postgresql/*/bin".to_owned())
}

fn is_root() -> bool {
    command_text("id", &["-u"]) == "0"
}

fn user_ids(user: &str) -> (u32, u32) {
    let parse = |flag: &str| {
        command_text("id", &[flag, user]).parse().unwrap_or_else(|_| {
            panic!("the tests run as root, so PostgreSQL runs as the `{user}` user, which does not exist: install the postgresql package, which creates it")
        })
    };
    (parse("-u"), parse("-g"))
}

fn command_text(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open postgresql.conf");
    file.write_all(text.as_bytes())
        .expect("write postgresql.conf");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_serves_its_role_and_stops() {
        let mut cluster = Cluster::start();
        let db = cluster.create_database();
        assert_eq!(cluster.psql(&db, "SELECT current_user"), ROLE);
        cluster.psql(
            &db,
            "CREATE TABLE t (v text); INSERT INTO t VALUES ('NEEDLE-IN-FILES')",
        );
        assert!(cluster.files_hold(b"NEEDLE-IN-FILES"));
        assert!(!cluster.files_hold(b"NEVER-WRITTEN-ANYWHERE"));
        let socket = cluster.socket_dir().join(".s.PGSQL.5432");
        assert!(socket.exists());
        cluster.stop();
        assert!(!socket.exists(), "stopped");
    }
}
