//! Shared helpers of the issue-3 integration tests (throwaway users, free ports, servers).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static USERADD: Mutex<()> = Mutex::new(());

/// True when running as root (needed for `crontab -u` and `useradd`).
pub fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| {
            use std::os::unix::fs::MetadataExt;
            m.uid() == 0
        })
        .unwrap_or(false)
}

/// A throwaway system user; its crontab and the user go away on drop.
pub struct TempUser {
    pub name: String,
}

impl TempUser {
    /// Creates `edgeshift-t-<random>`, or `None` (with a printed reason) when not possible.
    pub fn create() -> Option<TempUser> {
        if !is_root() {
            eprintln!("skipping: the real-crontab tests need root (useradd, crontab -u)");
            return None;
        }
        if Command::new("crontab").arg("-V").output().is_err()
            && !Path::new("/usr/bin/crontab").exists()
        {
            eprintln!("skipping: no crontab command");
            return None;
        }
        if Path::new("/etc/cron.allow").exists() {
            eprintln!("skipping: /etc/cron.allow exists; throwaway users would not be allowed");
            return None;
        }
        if std::fs::read_to_string("/etc/cron.deny")
            .is_ok_and(|d| d.lines().any(|l| l.trim() == "ALL"))
        {
            eprintln!("skipping: /etc/cron.deny denies ALL users");
            return None;
        }
        let name = format!("edgeshift-t-{:08x}", rand::random::<u32>());
        let _g = USERADD.lock().unwrap_or_else(|e| e.into_inner());
        for _ in 0..20 {
            let ok = Command::new("useradd")
                .args(["--no-create-home", "--shell", "/usr/sbin/nologin", &name])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                return Some(TempUser { name });
            }
            // /etc/passwd may be locked by another test process.
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("useradd {name} failed");
    }

    /// The user's crontab as `crontab -l` prints it ("" when none).
    pub fn crontab(&self) -> String {
        let out = Command::new("crontab")
            .args(["-u", &self.name, "-l"])
            .output()
            .unwrap();
        if out.status.success() {
            String::from_utf8(out.stdout).unwrap()
        } else {
            String::new()
        }
    }

    /// Installs `text` as the user's crontab with the real command.
    pub fn set_crontab(&self, text: &str) {
        let mut c = Command::new("crontab")
            .args(["-u", &self.name, "-"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        c.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        assert!(c.wait().unwrap().success());
    }
}

impl Drop for TempUser {
    fn drop(&mut self) {
        let _ = Command::new("crontab")
            .args(["-u", &self.name, "-r"])
            .stderr(Stdio::null())
            .status();
        let _g = USERADD.lock().unwrap_or_else(|e| e.into_inner());
        for _ in 0..20 {
            let ok = Command::new("userdel")
                .arg(&self.name)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// True when something accepts connections on 127.0.0.1:port.
pub fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &format!("127.0.0.1:{port}").parse().unwrap(),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// Waits until `f` is true or `timeout` passes.
pub fn wait_for(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let t0 = Instant::now();
    while t0.elapsed() < timeout {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}

/// A python3 http.server on 127.0.0.1:port serving `dir`, killed on drop.
pub struct PyServer {
    pub child: Child,
    pub port: u16,
}

impl PyServer {
    pub fn start(port: u16, dir: &Path) -> PyServer {
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(wait_for(Duration::from_secs(10), || port_open(port)));
        PyServer { child, port }
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
