//! The deadline rush's client: N students each create a complete application and then
//! submit it, from C threads with one keep-alive connection each, as fast as the
//! server answers. Written in plain Rust with blocking sockets so that the client takes
//! as little of the shared machine as pgbench's own C client does for the baseline it
//! is compared with; the Python client it replaces used about 0.2 ms of CPU per pair,
//! near a tenth of the whole.
//!
//! ```text
//! abroad-rush BASE_URL CALL_ID BODY_FILE TOKENS_FILE [--clients C]
//! ```
//!
//! BODY_FILE holds the create's JSON body; TOKENS_FILE one bearer token per line, one
//! per student (made beforehand, so no signing happens while the clock runs). Prints
//! the same lines as the Python client did: submits/s, errors per step, p50/p99.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What one student's create and submit came to.
struct Outcome {
    step: &'static str,
    status: u16,
    create: Duration,
    submit: Option<Duration>,
}

/// One keep-alive connection and what was read past the last response.
struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    fn open(address: &str) -> std::io::Result<Self> {
        let stream = TcpStream::connect(address)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Self {
            stream: BufReader::with_capacity(64 * 1024, stream),
        })
    }

    /// Sends a request whole and reads one response with a Content-Length: its status
    /// and body.
    fn exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.stream.get_mut().write_all(request)?;
        let mut line = String::new();
        self.stream.read_line(&mut line)?;
        let status = line
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no status line: {line:?}")))?;
        let mut length = 0usize;
        loop {
            line.clear();
            if self.stream.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("connection closed"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(std::io::Error::other)?;
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body)?;
        Ok((status, body))
    }
}

fn request(method: &str, path: &str, token: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "{method} {path} HTTP/1.1\r\nHost: rush\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    if !body.is_empty() {
        out.extend_from_slice(b"Content-Type: application/json\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// The id of the application a create answered with: the body's first `"id":"…"`.
fn application_id(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("\"id\":\"")? + 6;
    text.get(start..start + 36)
}

fn student(
    connection: &mut Option<Connection>,
    address: &str,
    create: &[u8],
    token: &str,
) -> Outcome {
    let mut exchange = |request: &[u8]| -> (u16, Vec<u8>, Duration) {
        let started = Instant::now();
        let answer = (|| {
            if connection.is_none() {
                *connection = Some(Connection::open(address)?);
            }
            connection.as_mut().map_or_else(
                || Err(std::io::Error::other("no connection")),
                |c| c.exchange(request),
            )
        })();
        match answer {
            Ok((status, body)) => (status, body, started.elapsed()),
            Err(_) => {
                *connection = None;
                (0, Vec::new(), started.elapsed())
            }
        }
    };
    let (status, body, create_took) = exchange(create);
    let id = match (status, application_id(&body)) {
        (201, Some(id)) => id.to_owned(),
        _ => {
            return Outcome {
                step: "create",
                status,
                create: create_took,
                submit: None,
            };
        }
    };
    let submit = request(
        "POST",
        &format!("/api/v1/applications/{id}/submit"),
        token,
        b"",
    );
    let (status, _, submit_took) = exchange(&submit);
    Outcome {
        step: "submit",
        status,
        create: create_took,
        submit: Some(submit_took),
    }
}

/// The CPU time (user + system) this process has used, from /proc (Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    // After the command's `)`: state is field 0, utime 11 and stime 12 (clock ticks, 100 Hz).
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn percentile(values: &mut [Duration], p: f64) -> Duration {
    values.sort_unstable();
    if values.is_empty() {
        return Duration::ZERO;
    }
    let at = ((p / 100.0) * (values.len() - 1) as f64).round() as usize;
    values[at.min(values.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: abroad-rush BASE_URL CALL_ID BODY_FILE TOKENS_FILE [--clients C]";
    let [_, base, call, body_file, tokens_file, rest @ ..] = args.as_slice() else {
        return Err(usage.into());
    };
    let clients: usize = match rest {
        [] => 32,
        [flag, n] if flag == "--clients" => n.parse()?,
        _ => return Err(usage.into()),
    };
    let address = base
        .strip_prefix("http://")
        .ok_or("BASE_URL is http://host:port")?
        .trim_end_matches('/')
        .to_owned();
    let body = std::fs::read(body_file)?;
    let tokens: Vec<String> = std::fs::read_to_string(tokens_file)?
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    // Every create request is made before the clock starts.
    let path = format!("/api/v1/calls/{call}/applications");
    let creates: Vec<Vec<u8>> = tokens
        .iter()
        .map(|t| request("POST", &path, t, &body))
        .collect();
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::with_capacity(tokens.len()));
    let (cpu, started) = (cpu_seconds(), Instant::now());
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                let mut connection = None;
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(create) = creates.get(i) else { break };
                    mine.push(student(&mut connection, &address, create, &tokens[i]));
                }
                outcomes.lock().map(|mut all| all.extend(mine)).ok();
            });
        }
    });
    let (elapsed, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let outcomes = outcomes
        .into_inner()
        .map_err(|_| "a client thread panicked")?;
    let ok = outcomes
        .iter()
        .filter(|o| o.step == "submit" && o.status == 200)
        .count();
    let mut errors: Vec<(String, usize)> = Vec::new();
    for o in outcomes
        .iter()
        .filter(|o| !(o.step == "submit" && o.status == 200))
    {
        let key = format!("{} {}", o.step, o.status);
        match errors.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => errors.push((key, 1)),
        }
    }
    let mut creates: Vec<Duration> = outcomes.iter().map(|o| o.create).collect();
    let mut submits: Vec<Duration> = outcomes.iter().filter_map(|o| o.submit).collect();
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let errors = if errors.is_empty() {
        "none".to_owned()
    } else {
        errors
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "students {}, clients {clients}, wall {elapsed:.1} s, client CPU {cpu:.2} s",
        tokens.len()
    )?;
    writeln!(
        out,
        "submitted {ok}   submits/s {:.1} (each after its create)   errors {errors}",
        ok as f64 / elapsed
    )?;
    writeln!(
        out,
        "create  p50 {}  p99 {}",
        ms(percentile(&mut creates, 50.0)),
        ms(percentile(&mut creates, 99.0))
    )?;
    if !submits.is_empty() {
        writeln!(
            out,
            "submit  p50 {}  p99 {}",
            ms(percentile(&mut submits, 50.0)),
            ms(percentile(&mut submits, 99.0))
        )?;
    }
    Ok(())
}
