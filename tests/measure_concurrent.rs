//! Twenty `edgeshift measure` processes appending to one probe file at the same moment:
//! exactly one header and twenty whole rows.

use edgeshift::table::probe::HEADER;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

#[test]
fn twenty_probes_append_to_one_file_without_tearing() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut b = [0u8; 2048];
                let _ = s.read(&mut b);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("web-server.csv");
    let children: Vec<_> = (0..20)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_edgeshift"))
                .args(["measure", &format!("http://127.0.0.1:{port}/"), "2"])
                .arg(&file)
                .args(["--pause", "0ms"])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 21, "{text}");
    assert_eq!(lines[0], HEADER);
    for l in &lines[1..] {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 4, "torn row: {l}");
        assert!(edgeshift::table::time::parse_time(f[0]).is_some(), "{l}");
        assert_eq!((f[1], f[3]), ("2", "0"), "{l}");
        assert!(
            edgeshift::table::time::parse_duration(f[2]).is_some(),
            "{l}"
        );
    }
}
