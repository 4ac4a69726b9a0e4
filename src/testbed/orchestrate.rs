//! The experiment itself: setup, the learning phase, calibration and planning, the
//! proactive phase, shutdown. See the module docs of [`crate::testbed`] for what runs how.
//!
//! Timing inside a compressed minute `m` (all stamps are virtual):
//! * at the start of `m`: floods due at `m` start (stamp `m:00`), the availability probes run
//!   (stamp `m:00`), crontab lines due at `m` start;
//! * at 95 % of `m`: `diag` samples each node (stamp `m:57`), so a row describes minute `m`
//!   and the as-of join pairs it with the probe of the same minute, as on the real testbed
//!   where `diag` rows land a few seconds into the next minute.

use super::clock::{default_origin, Clock};
use super::cron;
use super::procs::{signal, ProcGroup};
use super::progress::Progress;
use super::report::{self, Event, Summary};
use crate::probe::measure::{append_row, measure, MeasureOptions};
use crate::table::time::format_time;
use anyhow::{bail, Context, Result};
use nix::sys::signal::Signal;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Everything a testbed run needs.
#[derive(Debug, Clone)]
pub struct TestbedConfig {
    /// The `edgeshift` binary to run children with.
    pub exe: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Number of nodes (2 or more).
    pub nodes: usize,
    /// Wall time of one virtual minute.
    pub minute: Duration,
    /// Learning periods (hours).
    pub learn: u64,
    /// Proactive periods (hours).
    pub run: u64,
    /// Flood schedule per node (`CRON for DURATION`); empty = no flood on that node.
    pub schedules: Vec<String>,
    /// Planned switching delay, virtual minutes (whole).
    pub delay: u64,
    /// Emulated VM start time, virtual minutes.
    pub boot: f64,
    /// Kill node K's web server at proactive minute M: (K 1-based, M).
    pub kills: Vec<(usize, u64)>,
    /// How often the monitor runs in the proactive phase, virtual minutes.
    pub monitor_every: u64,
    /// Web server capacity: worker threads.
    pub workers: u32,
    /// Web server CPU work per request.
    pub work: Duration,
    /// Web server queue places.
    pub queue: u32,
    /// Flood connections (the cap on outstanding requests).
    pub flood_concurrency: usize,
    /// Flood rate, requests per second (open loop).
    pub flood_rate: f64,
    /// Probe attempts per minute.
    pub attempts: u32,
    /// Third octet of the node addresses (127.0.X.11, 127.0.X.12, ...).
    pub subnet: u8,
    /// No progress output.
    pub quiet: bool,
}

impl TestbedConfig {
    fn addr(&self, k: usize) -> Ipv4Addr {
        Ipv4Addr::new(127, 0, self.subnet, 10 + k as u8)
    }
    /// Per-attempt probe timeout. Generous (40 % of a compressed minute, at most 1 s): an
    /// overloaded server answers 503 at once, so only a slow machine (CPU shared with the
    /// floods and the busy workers) makes attempts wait, and that must not count as an outage.
    fn probe_timeout(&self) -> Duration {
        self.minute
            .mul_f64(0.4)
            .clamp(Duration::from_millis(20), Duration::from_secs(1))
    }
    /// Pause between attempts: the attempts of a healthy probe spread over a third of a minute.
    fn probe_pause(&self) -> Duration {
        (self.minute.mul_f64(0.3) / self.attempts.max(1)).min(Duration::from_millis(200))
    }
}

/// Names and files of one node.
#[derive(Debug, Clone)]
struct Node {
    /// 1-based index.
    k: usize,
    server: String,
    edge: String,
    addr: Ipv4Addr,
    edge_file: PathBuf,
    probe_file: PathBuf,
    pid_file: PathBuf,
    diag_state: PathBuf,
    schedule: Option<cron::FloodSchedule>,
}

/// Paths of a run.
#[derive(Debug, Clone)]
pub struct Layout {
    pub out: PathBuf,
    pub data: PathBuf,
    pub state: PathBuf,
    pub logs: PathBuf,
    pub hosts: PathBuf,
    pub switch_config: PathBuf,
    pub monitor_config: PathBuf,
    pub crontab: PathBuf,
    pub baseline_probe: PathBuf,
    pub service_probe: PathBuf,
}

impl Layout {
    fn new(out: &Path) -> Layout {
        let data = out.join("data");
        Layout {
            out: out.to_path_buf(),
            state: out.join("state"),
            logs: out.join("logs"),
            hosts: out.join("hosts"),
            switch_config: out.join("testbed.toml"),
            monitor_config: out.join("monitor.toml"),
            crontab: out.join("crontab"),
            baseline_probe: data.join("web-server.baseline.csv"),
            service_probe: data.join("web-server.csv"),
            data,
        }
    }
}

/// Running tallies shared with the per-minute tasks.
#[derive(Debug, Default)]
struct Tally {
    /// (available minutes, probed minutes) of the service name, per phase.
    service: [(u64, u64); 2],
    skipped: u64,
    failed_jobs: u64,
}

struct Ctx {
    cfg: TestbedConfig,
    lay: Layout,
    nodes: Vec<Node>,
    port: u16,
    edge_port: u16,
    group: ProcGroup,
    tally: Arc<Mutex<Tally>>,
    events: Arc<Mutex<Vec<Event>>>,
    progress: Progress,
    /// Web servers the testbed started itself (learning phase), by node index.
    servers: HashMap<usize, std::process::Child>,
    edge_services: Vec<std::process::Child>,
    inflight: HashMap<String, JoinHandle<()>>,
    diag_workers: HashMap<usize, tokio::sync::mpsc::UnboundedSender<DiagTick>>,
    floods: Vec<(u64, tokio::process::Child)>,
}

/// Runs a whole experiment and writes its report; returns the summary.
pub fn run(cfg: &TestbedConfig) -> Result<Summary> {
    if cfg.nodes < 2 || cfg.nodes > 200 {
        return Err(crate::error::bad_input(format!(
            "--nodes {}: the testbed needs 2 to 200 nodes",
            cfg.nodes
        )));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    let result = rt.block_on(async {
        // Registered before anything starts, so that Ctrl-C (or SIGTERM) always goes through
        // the cleanup below.
        use tokio::signal::unix::{signal as unix_signal, SignalKind};
        let mut sigint = unix_signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
        let mut sigterm = unix_signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        let mut ctx = setup(cfg)?;
        let outcome = tokio::select! {
            r = experiment(&mut ctx) => r,
            _ = sigint.recv() => Err(anyhow::anyhow!("interrupted (Ctrl-C): children stopped")),
            _ = sigterm.recv() => Err(anyhow::anyhow!("terminated (SIGTERM): children stopped")),
        };
        shutdown(&mut ctx).await;
        ctx.progress.finish();
        let events = ctx.events.lock().map(|e| e.clone()).unwrap_or_default();
        let counts = ctx
            .tally
            .lock()
            .map(|t| (t.skipped, t.failed_jobs))
            .unwrap_or_default();
        outcome.map(|()| {
            (
                counts,
                ctx.lay.clone(),
                events,
                ctx.nodes
                    .iter()
                    .map(|n| n.server.clone())
                    .collect::<Vec<_>>(),
            )
        })
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    let ((skipped, failed), lay, events, servers) = result?;
    let mut summary = report::summarize(cfg, &lay, &servers, &events)?;
    summary.jobs_skipped = skipped;
    summary.jobs_failed = failed;
    report::write_all(cfg, &lay, &servers, &summary)?;
    Ok(summary)
}

fn setup(cfg: &TestbedConfig) -> Result<Ctx> {
    let lay = Layout::new(&cfg.out);
    for d in [&lay.out, &lay.data, &lay.state, &lay.logs] {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    // A fresh run: old data would mix into the calibration.
    for d in [&lay.data, &lay.state] {
        for e in std::fs::read_dir(d)?.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let _ = std::fs::remove_file(&lay.crontab);
    let mut nodes = Vec::new();
    for k in 1..=cfg.nodes {
        let schedule = match cfg.schedules.get(k - 1).map(|s| s.trim()) {
            Some("") | Some("none") | None => None,
            Some(s) => Some(cron::parse_flood_schedule(s)?),
        };
        nodes.push(Node {
            k,
            server: format!("web-server{k}"),
            edge: format!("eden{k}"),
            addr: cfg.addr(k),
            edge_file: lay.data.join(format!("eden{k}_measure.csv")),
            probe_file: lay.data.join(format!("web-server{k}.csv")),
            pid_file: lay.state.join(format!("web-server{k}.pid")),
            diag_state: lay.state.join(format!("diag-eden{k}.json")),
            schedule,
        });
    }
    let addrs: Vec<Ipv4Addr> = nodes.iter().map(|n| n.addr).collect();
    let port = common_free_port(&addrs)?;
    let edge_port = loop {
        let p = common_free_port(&addrs)?;
        if p != port {
            break p;
        }
    };
    // The testbed's hosts file: every server by name, and the service name on node 1.
    let mut hosts = String::from("# edgeshift testbed hosts file\n127.0.0.1 localhost\n");
    for n in &nodes {
        hosts.push_str(&format!("{} {}\n", n.addr, n.server));
    }
    hosts.push_str(&format!("{} web-server\n", nodes[0].addr));
    crate::table::atomic::write_string_atomic(&lay.hosts, &hosts)?;
    for n in &nodes {
        crate::table::atomic::write_string_atomic(
            &n.edge_file,
            &format!("{}\n", crate::table::edge::HEADER),
        )?;
    }
    let total = (cfg.learn + cfg.run) * 60;
    let ctx = Ctx {
        cfg: cfg.clone(),
        lay,
        nodes,
        port,
        edge_port,
        group: ProcGroup::new()?,
        tally: Arc::default(),
        events: Arc::default(),
        progress: Progress::new(total, cfg.quiet),
        servers: HashMap::new(),
        edge_services: Vec::new(),
        inflight: HashMap::new(),
        diag_workers: HashMap::new(),
        floods: Vec::new(),
    };
    write_switch_config(&ctx)?;
    write_monitor_config(&ctx)?;
    Ok(ctx)
}

/// A port that is free on every node address.
fn common_free_port(addrs: &[Ipv4Addr]) -> Result<u16> {
    for _ in 0..50 {
        let first = TcpListener::bind(SocketAddr::from((addrs[0], 0)))
            .with_context(|| format!("cannot bind {}", addrs[0]))?;
        let port = first.local_addr()?.port();
        let rest: Vec<_> = addrs[1..]
            .iter()
            .map(|a| TcpListener::bind(SocketAddr::from((*a, port))))
            .collect();
        if rest.iter().all(|r| r.is_ok()) {
            return Ok(port);
        }
    }
    bail!("no TCP port is free on all of {addrs:?}")
}

fn web_server_args(ctx: &Ctx, n: &Node) -> Vec<String> {
    let c = &ctx.cfg;
    vec![
        "web-server".into(),
        "--listen".into(),
        format!("{}:{}", n.addr, ctx.port),
        "--workers".into(),
        c.workers.to_string(),
        "--work".into(),
        format!("{}us", c.work.as_micros()),
        "--queue".into(),
        c.queue.to_string(),
        "--queue-timeout".into(),
        format!("{}ms", (ctx.cfg.probe_timeout().as_millis() / 2).max(5)),
    ]
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn write_switch_config(ctx: &Ctx) -> Result<()> {
    let c = &ctx.cfg;
    let boot = c.minute.mul_f64(c.boot);
    let start_timeout = c.minute.mul_f64(c.boot + 3.0);
    let mut t = String::new();
    t.push_str("# edgeshift testbed: switch configuration (process driver, compressed time)\n");
    t.push_str("service = \"web-server\"\n");
    t.push_str(&format!(
        "hosts_file = {}\n",
        toml_str(&ctx.lay.hosts.display().to_string())
    ));
    t.push_str(&format!(
        "lock_file = {}\n",
        toml_str(&ctx.lay.state.join("switch.lock").display().to_string())
    ));
    t.push_str(&format!(
        "start_timeout = \"{}ms\"\n",
        start_timeout.as_millis()
    ));
    t.push_str("stop_timeout = \"2s\"\n");
    t.push_str(&format!(
        "service_check_timeout = \"{}ms\"\n",
        c.minute.mul_f64(1.0).as_millis().max(200)
    ));
    t.push_str(&format!(
        "log_file = {}\nlog_stderr = true\n\n[lock]\nmode = \"wait\"\ntimeout = \"{}ms\"\n\n",
        toml_str(&ctx.lay.logs.join("switch.log").display().to_string()),
        c.minute.mul_f64(30.0).as_millis()
    ));
    t.push_str(&format!(
        "[health]\ngood = 2\ninterval = \"{}ms\"\ntimeout = \"{}ms\"\n\n",
        (c.minute.as_millis() / 20).max(10),
        (c.minute.as_millis() / 2).max(50)
    ));
    for n in &ctx.nodes {
        let args: Vec<String> = web_server_args(ctx, n)
            .iter()
            .map(|a| toml_str(a))
            .collect();
        t.push_str(&format!(
            "[[node]]\nname = \"{}\"\naddress = \"{}\"\nhealth_url = \"http://{}:{}/healthz\"\n\
[node.driver]\nkind = \"process\"\nprogram = {}\nargs = [{}]\npid_file = {}\nlog_file = {}\nstart_delay = \"{}ms\"\n\n",
            n.server,
            n.addr,
            n.addr,
            ctx.port,
            toml_str(&c.exe.display().to_string()),
            args.join(", "),
            toml_str(&n.pid_file.display().to_string()),
            toml_str(&ctx.lay.logs.join(format!("{}.log", n.server)).display().to_string()),
            boot.as_millis()
        ));
    }
    crate::table::atomic::write_string_atomic(&ctx.lay.switch_config, &t)
}

fn switch_cmd(ctx: &Ctx) -> String {
    format!(
        "{} switch --config {}",
        ctx.cfg.exe.display(),
        ctx.lay.switch_config.display()
    )
}

fn write_monitor_config(ctx: &Ctx) -> Result<()> {
    let c = &ctx.cfg;
    let mut t = String::from("# edgeshift testbed: monitor configuration\n[monitor]\n");
    t.push_str(&format!(
        "probe = {}\nwindow = \"1h\"\nthreshold = \"10%\"\nperiod = \"hour\"\ndelay = \"{}m\"\nedge_window = \"{}h\"\nswitch_cmd = {}\ncrontab_file = {}\ncache_dir = {}\nlog = {}\ntimeout = \"2s\"\nretries = 1\n\n",
        toml_str(&ctx.lay.service_probe.display().to_string()),
        c.delay,
        c.learn + c.run,
        toml_str(&switch_cmd(ctx)),
        toml_str(&ctx.lay.crontab.display().to_string()),
        toml_str(&ctx.lay.state.join("monitor-cache").display().to_string()),
        toml_str(&ctx.lay.logs.join("monitor.jsonl").display().to_string()),
    ));
    for n in &ctx.nodes {
        t.push_str(&format!(
            "[[node]]\nname = \"{}\"\nedge_url = \"http://{}:{}\"\n\n",
            n.server, n.addr, ctx.edge_port
        ));
    }
    crate::table::atomic::write_string_atomic(&ctx.lay.monitor_config, &t)
}

async fn experiment(ctx: &mut Ctx) -> Result<()> {
    // --- Learning phase: every node serves; the service name stays on node 1 (baseline).
    ctx.progress.line(&format!(
        "{} nodes on 127.0.{}.11.., port {}, minute = {:?}; output in {}",
        ctx.cfg.nodes,
        ctx.cfg.subnet,
        ctx.port,
        ctx.cfg.minute,
        ctx.lay.out.display()
    ));
    for k in 1..=ctx.cfg.nodes {
        start_server(ctx, k)?;
    }
    for n in ctx.nodes.clone() {
        wait_healthy(
            &format!("http://{}:{}/healthz", n.addr, ctx.port),
            Duration::from_secs(20),
        )
        .await
        .with_context(|| format!("{} did not start", n.server))?;
    }
    // Prime each node's diag state (a first run without state samples twice, a second apart).
    for k in 1..=ctx.cfg.nodes {
        if let Some(pid) = ctx.servers.get(&k).map(|c| c.id()) {
            let n = ctx.nodes[k - 1].clone();
            let args = diag_args(ctx, &n, pid, default_origin() - 3_000_000);
            let out = run_child(ctx, &args, Duration::from_secs(10)).await?;
            if !out.ok {
                bail!("diag does not work on {}: {}", n.server, out.stderr.trim());
            }
        }
    }
    let learn = ctx.cfg.learn * 60;
    ctx.progress.line(&format!(
        "learning phase: {} periods, service name fixed on {}",
        ctx.cfg.learn, ctx.nodes[0].server
    ));
    let clock = Clock::new(ctx.cfg.minute, default_origin());
    for m in 0..learn {
        clock.until(m).await;
        minute_learning(ctx, &clock, m).await?;
    }
    clock.until(learn).await;
    drain(ctx, Duration::from_secs(5)).await;
    stop_floods(ctx).await;

    // --- Calibration and planning.
    ctx.progress.line("calibrating every node and planning");
    let t0 = Instant::now();
    let mut tables = Vec::new();
    for n in ctx.nodes.clone() {
        let out = run_child(
            ctx,
            &[
                "calibrate".into(),
                n.edge_file.display().to_string(),
                n.probe_file.display().to_string(),
                n.server.clone(),
                "--period".into(),
                "hour".into(),
            ],
            Duration::from_secs(120),
        )
        .await?;
        event(ctx, Event::step(learn as f64, "calibrate", &n.server, &out));
        let table = ctx.lay.data.join(format!("{}.time_table.csv", n.server));
        if !out.ok {
            // A node that was never unavailable cannot be calibrated (it needs both states);
            // it is simply never busy.
            let never_down = report::probe_minutes(&n.probe_file, default_origin())
                .values()
                .all(|v| !v.1);
            if !never_down {
                bail!("calibrate {} failed: {}", n.server, out.stderr.trim());
            }
            crate::table::timetable::write_time_table(
                &table,
                &crate::table::timetable::TimeTable {
                    server: n.server.clone(),
                    busy: vec![false; 60],
                },
            )?;
            event(
                ctx,
                Event::note(
                    learn as f64,
                    "calibrate",
                    &n.server,
                    "never unavailable while learning: time table all free",
                ),
            );
        }
        tables.push(table);
    }
    let mut plan_args = vec![
        "plan".to_string(),
        switch_cmd(ctx),
        "--delay".into(),
        format!("{}m", ctx.cfg.delay),
    ];
    plan_args.extend(tables.iter().map(|t| t.display().to_string()));
    let planned = run_child(ctx, &plan_args, Duration::from_secs(60)).await?;
    event(ctx, Event::step(learn as f64, "plan", "all", &planned));
    // Exit 3: no switch needed (one node is free all period); that node serves throughout.
    if !planned.ok && planned.code != Some(3) {
        bail!("plan failed: {}", planned.stderr);
    }
    let plan_file = ctx.lay.out.join("plan.txt");
    crate::table::atomic::write_string_atomic(&plan_file, &planned.stdout)?;
    if planned.stdout.trim().is_empty() {
        ctx.progress.line("the plan has no switch");
    } else {
        let inst = run_child(
            ctx,
            &[
                "crontab".into(),
                "install".into(),
                plan_file.display().to_string(),
                "--file".into(),
                ctx.lay.crontab.display().to_string(),
                "--backup-dir".into(),
                ctx.lay.state.join("crontab-backups").display().to_string(),
            ],
            Duration::from_secs(30),
        )
        .await?;
        event(
            ctx,
            Event::step(learn as f64, "crontab install", "all", &inst),
        );
        if !inst.ok {
            bail!("crontab install failed: {}", inst.stderr);
        }
    }
    ctx.progress.line(&format!(
        "plan ({:.1}s):\n{}",
        t0.elapsed().as_secs_f64(),
        planned.stdout.trim_end()
    ));

    // --- Proactive phase setup: only the node the plan has serving at slot 0 serves (its
    // learning server is handed over to the process driver); the others' VMs are off.
    let first = first_serving(ctx, &tables);
    for k in 1..=ctx.cfg.nodes {
        if k != first {
            stop_server(ctx, k);
        }
    }
    if let Some(child) = ctx.servers.get(&first) {
        crate::table::atomic::write_string_atomic(
            &ctx.nodes[first - 1].pid_file,
            &format!("{}\n", child.id()),
        )?;
    }
    if first != 1 {
        let addr = std::net::IpAddr::V4(ctx.nodes[first - 1].addr);
        crate::switch::hosts::point_name(&ctx.lay.hosts, "web-server", addr)?;
        ctx.progress.line(&format!(
            "the plan starts on {}: the service name points there",
            ctx.nodes[first - 1].server
        ));
    }
    start_edge_services(ctx)?;
    let run = ctx.cfg.run * 60;
    ctx.progress.line(&format!(
        "proactive phase: {} periods, crontab {}",
        ctx.cfg.run,
        ctx.lay.crontab.display()
    ));
    let clock = Clock::new(ctx.cfg.minute, default_origin() + learn as i64 * 60_000_000);
    for i in 0..run {
        clock.until(i).await;
        minute_proactive(ctx, &clock, learn, i).await?;
    }
    clock.until(run).await;
    // A last monitor run at the end of the phase, then let running switches finish.
    run_monitor(ctx, &clock, learn, run).await;
    drain(ctx, ctx.cfg.minute.mul_f64(ctx.cfg.boot + 4.0)).await;
    Ok(())
}

/// The node (1-based) that serves when the proactive phase starts at slot 0: the target of
/// the plan's last switch of the cycle (its line fired in the "previous" period, so its
/// effect is in place), or, with no switch, the node the plan has serving throughout (the
/// planner's library call on the same time tables `plan` read); node 1 when unknown.
fn first_serving(ctx: &Ctx, tables: &[PathBuf]) -> usize {
    let read: Result<Vec<_>> = tables
        .iter()
        .map(|t| crate::table::timetable::read_time_table(t))
        .collect();
    let Some(plan) = read
        .ok()
        .and_then(|tt| crate::plan::planner::plan(&tt, ctx.cfg.delay as usize).ok())
    else {
        return 1;
    };
    let name = match plan.switches.iter().max_by_key(|s| s.fire_slot) {
        Some(last) => last.to.clone(),
        None => plan
            .serving
            .first()
            .and_then(|&i| plan.nodes.get(i))
            .cloned()
            .unwrap_or_default(),
    };
    ctx.nodes
        .iter()
        .find(|n| n.server == name)
        .map_or(1, |n| n.k)
}

fn event(ctx: &Ctx, e: Event) {
    if let Ok(mut ev) = ctx.events.lock() {
        ev.push(e);
    }
}

fn start_server(ctx: &mut Ctx, k: usize) -> Result<()> {
    let n = ctx.nodes[k - 1].clone();
    let log = std::fs::File::create(ctx.lay.logs.join(format!("{}.learning.log", n.server)))?;
    let child = ctx
        .group
        .std_command(&ctx.cfg.exe)
        .args(web_server_args(ctx, &n))
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start the web server of {}", n.server))?;
    ctx.servers.insert(k, child);
    Ok(())
}

fn stop_server(ctx: &mut Ctx, k: usize) {
    if let Some(mut c) = ctx.servers.remove(&k) {
        signal(c.id(), Signal::SIGTERM);
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(3) {
            if let Ok(Some(_)) = c.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
    }
}

fn start_edge_services(ctx: &mut Ctx) -> Result<()> {
    for n in ctx.nodes.clone() {
        let limits = ctx
            .lay
            .data
            .join(format!("{}_measure.limits.cleared.csv", n.edge));
        let log = std::fs::File::create(ctx.lay.logs.join(format!("{}.edge-serve.log", n.edge)))?;
        let child = ctx
            .group
            .std_command(&ctx.cfg.exe)
            .args([
                "edge-serve".to_string(),
                "--data".into(),
                n.edge_file.display().to_string(),
                "--limits".into(),
                limits.display().to_string(),
                "--server".into(),
                n.server.clone(),
                "--listen".into(),
                format!("{}:{}", n.addr, ctx.edge_port),
                "--period".into(),
                "hour".into(),
            ])
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start the edge service of {}", n.edge))?;
        ctx.edge_services.push(child);
    }
    Ok(())
}

/// Polls a health URL until it answers 200.
async fn wait_healthy(url: &str, within: Duration) -> Result<()> {
    let t0 = Instant::now();
    loop {
        let u = url.to_string();
        let ok = tokio::task::spawn_blocking(move || {
            ureq::get(&u)
                .timeout(Duration::from_millis(500))
                .call()
                .is_ok()
        })
        .await
        .unwrap_or(false);
        if ok {
            return Ok(());
        }
        if t0.elapsed() > within {
            bail!("{url} did not answer within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The outcome of a child run to completion.
#[derive(Debug, Clone)]
pub struct ChildOutput {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub seconds: f64,
}

async fn run_child(ctx: &Ctx, args: &[String], limit: Duration) -> Result<ChildOutput> {
    let mut cmd = ctx.group.command(&ctx.cfg.exe);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    run_cmd(cmd, limit, &args.join(" ")).await
}

async fn run_cmd(
    mut cmd: tokio::process::Command,
    limit: Duration,
    what: &str,
) -> Result<ChildOutput> {
    let t0 = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start `{what}`"))?;
    match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(Ok(out)) => Ok(ChildOutput {
            ok: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            seconds: t0.elapsed().as_secs_f64(),
        }),
        Ok(Err(e)) => Err(e).with_context(|| format!("waiting for `{what}`")),
        Err(_) => Ok(ChildOutput {
            ok: false,
            code: None,
            stdout: String::new(),
            stderr: format!("timed out after {limit:?} (killed)"),
            seconds: t0.elapsed().as_secs_f64(),
        }),
    }
}

/// Starts a per-minute job unless the previous one of the same key still runs.
fn spawn_job<F>(ctx: &mut Ctx, key: String, fut: F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    if let Some(h) = ctx.inflight.get(&key) {
        if !h.is_finished() {
            if let Ok(mut t) = ctx.tally.lock() {
                t.skipped += 1;
            }
            return;
        }
    }
    ctx.inflight.insert(key, tokio::spawn(fut));
}

/// Waits (bounded) for the per-minute jobs still running.
async fn drain(ctx: &mut Ctx, within: Duration) {
    // Closing the channels lets the diag workers finish their last tick and end.
    ctx.diag_workers.clear();
    let until = Instant::now() + within;
    for (_, h) in ctx.inflight.drain() {
        let left = until.saturating_duration_since(Instant::now());
        if tokio::time::timeout(left, h).await.is_err() {
            // The task keeps its child handle: dropping it kills the child.
        }
    }
}

/// One availability probe through the library; `phase` 0 = baseline, 1 = proactive, None =
/// a node's own probe.
fn probe(ctx: &mut Ctx, url: String, file: PathBuf, at: i64, phase: Option<usize>) {
    let opts = MeasureOptions {
        url: url.clone(),
        attempts: ctx.cfg.attempts,
        timeout: ctx.cfg.probe_timeout(),
        pause: ctx.cfg.probe_pause(),
        hosts_file: Some(ctx.lay.hosts.clone()),
        at: Some(at),
    };
    let tally = ctx.tally.clone();
    spawn_job(ctx, format!("measure {url}"), async move {
        let row = tokio::task::spawn_blocking(move || -> Result<_> {
            let row = measure(&opts)?;
            append_row(&file, &row)?;
            Ok(row)
        })
        .await;
        if let Ok(mut t) = tally.lock() {
            match row {
                Ok(Ok(row)) => {
                    if let Some(p) = phase {
                        let ok = row.successes * 2 >= row.successes + row.errors;
                        t.service[p].0 += u64::from(ok);
                        t.service[p].1 += 1;
                    }
                }
                _ => t.failed_jobs += 1,
            }
        }
    });
}

/// `diag` for node `k` at 95 % of the minute, stamped `m:57`, appended to its edge file.
fn diag(ctx: &mut Ctx, clock: &Clock, m: u64, k: usize, pid: u32) {
    let tick = DiagTick {
        at: clock.stamp(m) + 57_000_000,
        when: clock.instant_of(m) + ctx.cfg.minute.mul_f64(0.95),
        pid,
    };
    if !ctx.diag_workers.contains_key(&k) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let worker = diag_worker(ctx, k, rx);
        ctx.inflight
            .insert(format!("diag worker {k}"), tokio::spawn(worker));
        ctx.diag_workers.insert(k, tx);
    }
    if let Some(tx) = ctx.diag_workers.get(&k) {
        let _ = tx.send(tick);
    }
}

/// One diag request: sample at `when`, stamp `at`.
#[derive(Debug, Clone, Copy)]
struct DiagTick {
    at: i64,
    when: Instant,
    pid: u32,
}

/// A node's diag worker: one `diag` at a time, so that rows reach the edge file in time
/// order; when it falls behind by more than a tick, it skips to the newest.
fn diag_worker(
    ctx: &Ctx,
    k: usize,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<DiagTick>,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let n = ctx.nodes[k - 1].clone();
    let tally = ctx.tally.clone();
    let limit = ctx.cfg.minute.mul_f64(0.9).max(Duration::from_millis(1500));
    let exe = ctx.cfg.exe.clone();
    let pgid = ctx.group.pgid();
    let base: Vec<String> = diag_args(ctx, &n, 0, 0);
    async move {
        while let Some(mut tick) = rx.recv().await {
            while let Ok(newer) = rx.try_recv() {
                tick = newer;
                if let Ok(mut t) = tally.lock() {
                    t.skipped += 1;
                }
            }
            tokio::time::sleep_until(tokio::time::Instant::from_std(tick.when)).await;
            let mut args = base.clone();
            // Fill in the pid and the time (positions fixed by diag_args).
            args[5] = tick.pid.to_string();
            args[11] = format_time(tick.at);
            let mut cmd = super::procs::group_command(pgid, &exe);
            cmd.args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let ok = match run_cmd(cmd, limit, "diag").await {
                Ok(out) if out.ok && out.stdout.starts_with("20") => {
                    let line = out.stdout.lines().next().unwrap_or_default().to_string();
                    let file = n.edge_file.clone();
                    tokio::task::spawn_blocking(move || append_line(&file, &line))
                        .await
                        .map(|r| r.is_ok())
                        .unwrap_or(false)
                }
                Ok(out) => {
                    tracing::debug!("diag {}: {}", n.server, out.stderr.trim());
                    false
                }
                Err(_) => false,
            };
            if !ok {
                if let Ok(mut t) = tally.lock() {
                    t.failed_jobs += 1;
                }
            }
        }
    }
}

fn diag_args(ctx: &Ctx, n: &Node, pid: u32, at: i64) -> Vec<String> {
    vec![
        "diag".to_string(),
        n.server.clone(),
        "--source".into(),
        "proc".into(),
        "--pid".into(),
        pid.to_string(),
        "--app-metrics".into(),
        format!("http://{}:{}/metrics", n.addr, ctx.port),
        "--interface".into(),
        "lo".into(),
        "--at".into(),
        format_time(at),
        "--state".into(),
        n.diag_state.display().to_string(),
    ]
}

fn append_line(path: &Path, line: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(path)?;
    f.write_all(format!("{line}\n").as_bytes())?;
    Ok(())
}

/// Starts the floods due at virtual minute `m` (absolute) and stops finished ones.
fn floods(ctx: &mut Ctx, abs_minute: u64, t_us: i64) -> Result<()> {
    ctx.floods
        .retain_mut(|(_, c)| !matches!(c.try_wait(), Ok(Some(_))));
    for n in ctx.nodes.clone() {
        let Some(s) = &n.schedule else { continue };
        if !s.starts_at(t_us) {
            continue;
        }
        let real_minutes = ctx.cfg.minute.as_secs_f64() * s.minutes / 60.0;
        let mut cmd = ctx.group.command(&ctx.cfg.exe);
        cmd.args([
            "flood".to_string(),
            format!("http://{}:{}/", n.server, ctx.port),
            format!("{real_minutes:.5}"),
            "--concurrency".into(),
            ctx.cfg.flood_concurrency.to_string(),
            "--rate".into(),
            ctx.cfg.flood_rate.to_string(),
            "--timeout".into(),
            "1s".into(),
            "--hosts-file".into(),
            ctx.lay.hosts.display().to_string(),
            "--json".into(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        let child = cmd.spawn().context("cannot start a flood")?;
        ctx.floods.push((abs_minute, child));
        event(
            ctx,
            Event::note(
                abs_minute as f64,
                "flood",
                &n.server,
                &format!("{} for {} min", s.text, s.minutes),
            ),
        );
    }
    Ok(())
}

async fn stop_floods(ctx: &mut Ctx) {
    for (_, mut c) in ctx.floods.drain(..) {
        let _ = c.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(2), c.wait()).await;
    }
}

async fn minute_learning(ctx: &mut Ctx, clock: &Clock, m: u64) -> Result<()> {
    let t = clock.stamp(m);
    floods(ctx, m, t)?;
    for n in ctx.nodes.clone() {
        probe(
            ctx,
            format!("http://{}:{}/", n.server, ctx.port),
            n.probe_file.clone(),
            t,
            None,
        );
    }
    let url = format!("http://web-server:{}/", ctx.port);
    let file = ctx.lay.baseline_probe.clone();
    probe(ctx, url, file, t, Some(0));
    for k in 1..=ctx.cfg.nodes {
        if let Some(pid) = ctx.servers.get(&k).map(|c| c.id()) {
            diag(ctx, clock, m, k, pid);
        }
    }
    let (ok, all) = ctx.tally.lock().map(|t| t.service[0]).unwrap_or((0, 0));
    ctx.progress.tick(
        m,
        &format!(
            "learning, period {}/{}, baseline availability {}",
            m / 60 + 1,
            ctx.cfg.learn,
            pct(ok, all)
        ),
        m % 60 == 59,
    );
    Ok(())
}

fn pct(ok: u64, all: u64) -> String {
    if all == 0 {
        "-".into()
    } else {
        format!("{:.1} %", ok as f64 * 100.0 / all as f64)
    }
}

/// The PID of the web server running on node `k` (from the driver's pid file), if alive.
fn node_pid(ctx: &Ctx, k: usize) -> Option<u32> {
    let pid = crate::switch::driver::read_pid(&ctx.nodes[k - 1].pid_file)?;
    crate::switch::driver::pid_alive(pid).then_some(pid as u32)
}

async fn minute_proactive(ctx: &mut Ctx, clock: &Clock, learn: u64, i: u64) -> Result<()> {
    let abs = learn + i;
    let t = clock.stamp(i);
    // Reap the servers the testbed handed over to the driver (a stopped one is a zombie).
    for c in ctx.servers.values_mut() {
        let _ = c.try_wait();
    }
    floods(ctx, abs, t)?;
    let url = format!("http://web-server:{}/", ctx.port);
    let file = ctx.lay.service_probe.clone();
    probe(ctx, url, file, t, Some(1));
    for (k, at) in ctx.cfg.kills.clone() {
        if at == i {
            let what = match node_pid(ctx, k) {
                Some(pid) => {
                    signal(pid, Signal::SIGKILL);
                    format!("killed the web server of web-server{k} (pid {pid})")
                }
                None => format!("web-server{k} had no running web server to kill"),
            };
            ctx.progress.line(&format!("minute {abs}: {what}"));
            event(
                ctx,
                Event::note(abs as f64, "kill", &format!("web-server{k}"), &what),
            );
        }
    }
    // The crontab as it is now (the monitor may have re-installed it).
    let text = std::fs::read_to_string(&ctx.lay.crontab).unwrap_or_default();
    match cron::parse_crontab(&text) {
        Ok(entries) => {
            for e in cron::due(&entries, t) {
                run_cron_job(ctx, abs, e.command.clone(), e.line.clone());
            }
        }
        Err(e) => ctx.progress.line(&format!("crontab unreadable: {e:#}")),
    }
    for k in 1..=ctx.cfg.nodes {
        if let Some(pid) = node_pid(ctx, k) {
            diag(ctx, clock, i, k, pid);
        }
    }
    if i > 0 && i.is_multiple_of(ctx.cfg.monitor_every.max(1)) {
        run_monitor(ctx, clock, learn, i).await;
    }
    let (ok, all) = ctx.tally.lock().map(|t| t.service[1]).unwrap_or((0, 0));
    ctx.progress.tick(
        abs,
        &format!(
            "proactive, period {}/{}, availability {}",
            i / 60 + 1,
            ctx.cfg.run,
            pct(ok, all)
        ),
        i % 60 == 59,
    );
    Ok(())
}

/// Runs one crontab command through `sh -c`, as cron would, and records it.
fn run_cron_job(ctx: &mut Ctx, abs: u64, command: String, line: String) {
    let mut cmd = ctx.group.command(Path::new("sh"));
    cmd.arg("-c")
        .arg(&command)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let events = ctx.events.clone();
    let minute = ctx.cfg.minute;
    let start = Instant::now();
    let limit = minute.mul_f64(ctx.cfg.boot + 30.0);
    ctx.progress
        .line(&format!("minute {abs}: cron runs `{command}`"));
    let key = format!("cron {abs} {line}");
    spawn_job(ctx, key, async move {
        let out = run_cmd(cmd, limit, &command).await;
        let took = start.elapsed().as_secs_f64() / minute.as_secs_f64();
        let e = match out {
            Ok(o) => Event::job(abs as f64, abs as f64 + took, &command, &o),
            Err(err) => Event::job(
                abs as f64,
                abs as f64 + took,
                &command,
                &ChildOutput {
                    ok: false,
                    code: None,
                    stdout: String::new(),
                    stderr: format!("{err:#}"),
                    seconds: 0.0,
                },
            ),
        };
        if let Ok(mut ev) = events.lock() {
            ev.push(e);
        }
    });
}

async fn run_monitor(ctx: &mut Ctx, clock: &Clock, learn: u64, i: u64) {
    let abs = learn + i;
    let now = format_time(clock.stamp(i));
    let args = vec![
        "monitor".to_string(),
        "--config".into(),
        ctx.lay.monitor_config.display().to_string(),
        "--now".into(),
        now,
        "--react".into(),
    ];
    let mut cmd = ctx.group.command(&ctx.cfg.exe);
    cmd.args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let events = ctx.events.clone();
    let minute = ctx.cfg.minute;
    let start = Instant::now();
    spawn_job(ctx, format!("monitor {abs}"), async move {
        let out = run_cmd(cmd, Duration::from_secs(60), "monitor").await;
        let took = start.elapsed().as_secs_f64() / minute.as_secs_f64();
        if let Ok(o) = out {
            if let Ok(mut ev) = events.lock() {
                ev.push(Event::job(abs as f64, abs as f64 + took, "monitor", &o));
            }
        }
    });
}

async fn shutdown(ctx: &mut Ctx) {
    stop_floods(ctx).await;
    for (_, h) in ctx.inflight.drain() {
        h.abort();
    }
    for mut c in ctx.edge_services.drain(..) {
        let _ = c.kill();
        let _ = c.wait();
    }
    let ks: Vec<usize> = ctx.servers.keys().copied().collect();
    for k in ks {
        stop_server(ctx, k);
    }
    ctx.group.kill_all(Duration::from_secs(2));
}
