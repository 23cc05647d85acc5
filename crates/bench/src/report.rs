//! The report: `report.md` for people, `report.json` for tools, both with the machine, the
//! versions and every figure with its ratio to its baseline.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::Plan;
use crate::scenario_cli::CliFigures;
use crate::scenario_server::{Cell, Target};
use crate::scenario_store::{self, StoreFigures};
use crate::scenario_transport::{CONCURRENCY, Contender, Row};
use crate::stats::Figure;

pub(crate) struct Report<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) server: Vec<Cell>,
    pub(crate) store: Option<StoreFigures>,
    pub(crate) transport: Vec<Row>,
    pub(crate) cli: Option<CliFigures>,
    pub(crate) elapsed: Duration,
}

/// A target the project aims for: `value` against `goal`, higher or lower being better.
struct Goal {
    what: String,
    value: f64,
    goal: f64,
    higher_is_better: bool,
}

impl Goal {
    fn met(&self) -> bool {
        if self.higher_is_better {
            self.value >= self.goal
        } else {
            self.value <= self.goal
        }
    }
}

fn machine() -> serde_json::Value {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_default();
    let rustc = std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    serde_json::json!({
        "cores": cores,
        "cpu": cpu,
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "rustc": rustc,
        "exsited": env!("CARGO_PKG_VERSION"),
    })
}

impl Report<'_> {
    fn cell(&self, target: Target, concurrency: usize) -> Option<&Cell> {
        self.server
            .iter()
            .find(|c| c.target == target && c.concurrency == concurrency)
    }

    fn row(&self, contender: Contender) -> Option<&Row> {
        self.transport.iter().find(|r| r.contender == contender)
    }

    fn goals(&self) -> Vec<Goal> {
        let mut goals = Vec::new();
        if let (Some(memory), Some(base), Some(sqlite)) = (
            self.cell(Target::Memory, 64),
            self.cell(Target::Static204, 64),
            self.cell(Target::Sqlite, 64),
        ) {
            goals.push(Goal {
                what: "memory-store server vs static-204 baseline, c=64 (deletes/s)".into(),
                value: memory.per_second.ratio_to(&base.per_second),
                goal: 0.8,
                higher_is_better: true,
            });
            goals.push(Goal {
                what: "SQLite durable deletes vs memory store, c=64 (deletes/s)".into(),
                value: sqlite.per_second.ratio_to(&memory.per_second),
                goal: 0.5,
                higher_is_better: true,
            });
        }
        if let (Some(t), Some(raw), Some(req)) = (
            self.row(Contender::Transport),
            self.row(Contender::RawHyper),
            self.row(Contender::Reqwest),
        ) {
            goals.push(Goal {
                what: "transport vs raw-hyper loop (deletes/s)".into(),
                value: t.per_second.ratio_to(&raw.per_second),
                goal: 0.9,
                higher_is_better: true,
            });
            goals.push(Goal {
                what: "transport vs reqwest (CPU per delete)".into(),
                value: t.cpu_us_per_delete.ratio_to(&req.cpu_us_per_delete),
                goal: 0.7,
                higher_is_better: false,
            });
        }
        if let Some(cli) = &self.cli {
            goals.push(Goal {
                what: format!("CLI bulk delete of {} ids, peak RSS (MiB)", cli.flat_ids),
                value: cli.flat_max_rss_mib.median,
                goal: 64.0,
                higher_is_better: false,
            });
        }
        goals
    }

    fn markdown(&self) -> String {
        let f = |x: &Figure, digits: usize| {
            format!(
                "{:.*} ({:.*}–{:.*})",
                digits, x.median, digits, x.min, digits, x.max
            )
        };
        let mut md = String::new();
        let m = machine();
        let _ = writeln!(md, "# exsited-rs benchmark report\n");
        let _ = writeln!(
            md,
            "Machine: {} cores, {} ({}/{}); {}; exsited {}. Mode: {}; {} run(s) per figure; took {:.0} s.\n",
            m["cores"],
            m["cpu"].as_str().unwrap_or(""),
            m["os"].as_str().unwrap_or(""),
            m["arch"].as_str().unwrap_or(""),
            m["rustc"].as_str().unwrap_or(""),
            m["exsited"].as_str().unwrap_or(""),
            if self.plan.quick {
                "quick (harness check only; figures mean little)"
            } else {
                "full"
            },
            self.plan.runs,
            self.elapsed.as_secs_f64()
        );
        let _ = writeln!(
            md,
            "Each figure: median (min–max) over the runs. Ratios compare medians.\n"
        );

        let _ = writeln!(md, "## 1. Server: deletes per second and latency\n");
        let _ = writeln!(
            md,
            "| c | target | deletes/s | ratio to static 204 | p50 ms | p99 ms |"
        );
        let _ = writeln!(md, "|---|---|---|---|---|---|");
        for cell in &self.server {
            let base = self
                .cell(Target::Static204, cell.concurrency)
                .expect("baseline measured");
            let _ = writeln!(
                md,
                "| {} | {} | {} | {:.2} | {} | {} |",
                cell.concurrency,
                cell.target.name(),
                f(&cell.per_second, 0),
                cell.per_second.ratio_to(&base.per_second),
                f(&cell.p50_ms, 3),
                f(&cell.p99_ms, 3)
            );
        }

        let _ = writeln!(
            md,
            "\n## 2. Transport: deletes per second and client CPU per delete (c={CONCURRENCY})\n"
        );
        let _ = writeln!(
            md,
            "| client | deletes/s | ratio to raw hyper | CPU µs/delete | CPU ratio to reqwest |"
        );
        let _ = writeln!(md, "|---|---|---|---|---|");
        if let (Some(raw), Some(req)) =
            (self.row(Contender::RawHyper), self.row(Contender::Reqwest))
        {
            for row in &self.transport {
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.2} | {} | {:.2} |",
                    row.contender.name(),
                    f(&row.per_second, 0),
                    row.per_second.ratio_to(&raw.per_second),
                    f(&row.cpu_us_per_delete, 1),
                    row.cpu_us_per_delete.ratio_to(&req.cpu_us_per_delete)
                );
            }
        }

        if let Some(cli) = &self.cli {
            let _ = writeln!(
                md,
                "\n## 3. CLI bulk delete (`exsited connections delete --from-file`, c=16)\n"
            );
            let _ = writeln!(md, "| input | wall s | deletes/s | peak RSS MiB |");
            let _ = writeln!(md, "|---|---|---|---|");
            let _ = writeln!(
                md,
                "| {} existing connections, SQLite store | {} | {} | {} |",
                cli.connections,
                f(&cli.wall_s, 2),
                f(&cli.per_second, 0),
                f(&cli.max_rss_mib, 1)
            );
            let _ = writeln!(
                md,
                "| {} ids that do not exist (404s), memory store | – | – | {} |",
                cli.flat_ids,
                f(&cli.flat_max_rss_mib, 1)
            );
        }

        if let Some(store) = &self.store {
            let _ = writeln!(
                md,
                "\n## 4. The SQLite store alone (in-process, no HTTP, c={})\n",
                scenario_store::CONCURRENCY
            );
            let _ = writeln!(
                md,
                "| deletes per run | durable deletes/s | deletes per commit |"
            );
            let _ = writeln!(md, "|---|---|---|");
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                store.deletes,
                f(&store.per_second, 0),
                f(&store.per_commit, 1)
            );
        }

        let _ = writeln!(md, "\n## Targets (aims, not assertions)\n");
        let _ = writeln!(md, "| what | measured | target | met |");
        let _ = writeln!(md, "|---|---|---|---|");
        for goal in self.goals() {
            let _ = writeln!(
                md,
                "| {} | {:.2} | {} {} | {} |",
                goal.what,
                goal.value,
                if goal.higher_is_better { "≥" } else { "≤" },
                goal.goal,
                if goal.met() { "yes" } else { "no" }
            );
        }
        md
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "machine": machine(),
            "mode": if self.plan.quick { "quick" } else { "full" },
            "runs_per_figure": self.plan.runs,
            "elapsed_s": self.elapsed.as_secs_f64(),
            "server": self.server.iter().map(|c| {
                let base = self.cell(Target::Static204, c.concurrency).expect("baseline measured");
                serde_json::json!({
                    "target": c.target.name(), "concurrency": c.concurrency,
                    "deletes_per_s": c.per_second.to_json(), "p50_ms": c.p50_ms.to_json(), "p99_ms": c.p99_ms.to_json(),
                    "ratio_to_static_204": c.per_second.ratio_to(&base.per_second),
                })
            }).collect::<Vec<_>>(),
            "store": self.store.as_ref().map(|s| serde_json::json!({
                "concurrency": scenario_store::CONCURRENCY, "deletes": s.deletes,
                "deletes_per_s": s.per_second.to_json(), "deletes_per_commit": s.per_commit.to_json(),
            })),
            "transport": self.transport.iter().map(|r| serde_json::json!({
                "client": r.contender.name(), "concurrency": CONCURRENCY,
                "deletes_per_s": r.per_second.to_json(), "cpu_us_per_delete": r.cpu_us_per_delete.to_json(),
                "ratio_to_raw_hyper": self.row(Contender::RawHyper).map(|raw| r.per_second.ratio_to(&raw.per_second)),
                "cpu_ratio_to_reqwest": self.row(Contender::Reqwest).map(|q| r.cpu_us_per_delete.ratio_to(&q.cpu_us_per_delete)),
            })).collect::<Vec<_>>(),
            "cli": self.cli.as_ref().map(|cli| serde_json::json!({
                "connections": cli.connections, "wall_s": cli.wall_s.to_json(),
                "deletes_per_s": cli.per_second.to_json(), "max_rss_mib": cli.max_rss_mib.to_json(),
                "flat_ids": cli.flat_ids, "flat_max_rss_mib": cli.flat_max_rss_mib.to_json(),
            })),
            "targets": self.goals().iter().map(|g| serde_json::json!({
                "what": g.what, "measured": g.value, "target": g.goal,
                "higher_is_better": g.higher_is_better, "met": g.met(),
            })).collect::<Vec<_>>(),
        })
    }

    pub(crate) fn write(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("report.md"), self.markdown()).map_err(|e| e.to_string())?;
        let json = serde_json::to_string_pretty(&self.json()).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("report.json"), json).map_err(|e| e.to_string())
    }
}
