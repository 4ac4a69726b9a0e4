//! The edge service keeps answering while another process appends to its data file (in
//! pieces, as cron's `>>` does), and picks up a rotated or truncated file.

mod edge_serve_util;

use edge_serve_util::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

fn rows_header(addr: std::net::SocketAddr, path: &str) -> (u16, String, Option<usize>) {
    let (code, text) = {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut s, &mut buf).unwrap();
        let code = buf
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        (code, buf)
    };
    let rows = text
        .lines()
        .find_map(|l| l.strip_prefix("x-edgeshift-rows: "))
        .and_then(|v| v.trim().parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body, rows)
}

#[test]
fn keeps_answering_while_appended_to_and_after_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let all = std::fs::read_to_string(data("eden1_measure.csv")).unwrap();
    let lines: Vec<&str> = all.lines().collect();
    let live = dir.path().join("eden1_measure.csv");
    // Start with the first day.
    std::fs::write(&live, format!("{}\n", lines[..=1440].join("\n"))).unwrap();
    let e = EdgeServe::start(
        &live,
        &data("reference/eden1_measure.limits.cleared.csv"),
        "web-server1",
        &[],
    );
    let (code, _, rows) = rows_header(e.addr, "/time_table");
    assert_eq!((code, rows), (200, Some(1440)));

    // Another process appends the second day, each line in two writes.
    let rest = format!("{}\n", lines[1441..].join("\n"));
    let mut writer = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "while IFS= read -r l; do printf '%s' \"${{l%???}}\" >> '{0}'; printf '%s\\n' \"${{l#\"${{l%???}}\"}}\" >> '{0}'; done",
            live.display()
        ))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = writer.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for chunk in rest.as_bytes().chunks(8 * 1024) {
            stdin.write_all(chunk).unwrap();
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    let mut last = 1440;
    let mut answers = 0;
    while writer.try_wait().unwrap().is_none() {
        let (code, body, rows) = rows_header(e.addr, "/time_table/2h");
        assert_eq!(code, 200, "{body}");
        edgeshift::table::timetable::parse_time_table(&body, "answer").unwrap();
        let (_, _, all_rows) = rows_header(e.addr, "/time_table");
        let all_rows = all_rows.unwrap();
        assert!(all_rows >= last, "rows went from {last} to {all_rows}");
        last = all_rows;
        assert!(rows.unwrap() <= 121);
        answers += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    feeder.join().unwrap();
    assert!(answers > 0);
    let (code, body, rows) = rows_header(e.addr, "/time_table");
    assert_eq!((code, rows), (200, Some(2880)));
    assert_eq!(
        body,
        std::fs::read_to_string(data("reference/web-server1.time_table.csv")).unwrap()
    );
    let (_, m) = get(e.addr, "/metrics", None);
    assert!(m.contains("edgeshift_edge_rows_read_total 2880"), "{m}");
    assert!(m.contains("edgeshift_edge_bad_lines_total 0"), "{m}");

    // Rotation: the file is moved away and a new one (header + 3 hours) takes its name.
    std::fs::rename(&live, dir.path().join("eden1_measure.csv.1")).unwrap();
    let fresh = dir.path().join("fresh.csv");
    std::fs::write(&fresh, format!("{}\n", lines[..=180].join("\n"))).unwrap();
    std::fs::rename(&fresh, &live).unwrap();
    let (code, body, rows) = rows_header(e.addr, "/time_table");
    assert_eq!((code, rows), (200, Some(180)), "{body}");
    let (_, m) = get(e.addr, "/metrics", None);
    assert!(m.contains("edgeshift_edge_file_restarts_total 1"), "{m}");

    // Truncation in place (copytruncate): only the header, then rows again.
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&live)
        .unwrap()
        .write_all(format!("{}\n", lines[0]).as_bytes())
        .unwrap();
    let (code, body, _) = rows_header(e.addr, "/time_table");
    assert_eq!(code, 422, "{body}");
    assert!(body.contains("no measurement rows yet"), "{body}");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&live)
        .unwrap();
    f.write_all(format!("{}\n", lines[1..=120].join("\n")).as_bytes())
        .unwrap();
    let (code, _, rows) = rows_header(e.addr, "/time_table");
    assert_eq!((code, rows), (200, Some(120)));
}

#[test]
fn keeps_only_the_configured_span() {
    let e = EdgeServe::node(1, &["--keep", "1d"]);
    let (code, _, rows) = rows_header(e.addr, "/time_table");
    assert_eq!(code, 200);
    // One day back from the newest row (inclusive of its start).
    let rows = rows.unwrap();
    assert!((1440..=1441).contains(&rows), "{rows}");
}
