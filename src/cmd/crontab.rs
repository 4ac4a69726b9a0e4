//! `edgeshift crontab install [FILE|-] | show | remove  [--user U | --file PATH] [--dry-run]
//! [--allow-empty] [--marker NAME] [--backup-dir DIR]`
//!
//! Keeps generated lines in a marked block of a crontab:
//! `# BEGIN edgeshift (generated, do not edit)` ... `# END edgeshift`. Only the block
//! changes; every other line is kept byte for byte. The library does the work
//! (`edgeshift::plan::crontab`).

use anyhow::Result;
use edgeshift::plan::crontab::{self, CrontabOptions, CrontabTarget, InstallOutcome};
use std::path::PathBuf;
use std::process::ExitCode;

/// Install, show or remove the generated block in the user's crontab.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Install, show or remove the generated block in a crontab.\n\n\
The block lies between `# BEGIN edgeshift (generated, do not edit)` and `# END edgeshift`; \
every other line of the crontab is kept byte for byte. The user's crontab is read with \
`crontab -l [-u USER]` and installed with `crontab [-u USER] FILE` (\"no crontab for USER\" is \
an empty crontab); --file edits a crontab-format file instead (atomically).\n\n\
Before a change, the previous crontab is copied to BACKUP_DIR/crontab.<user>.<time>.bak \
(default ~/.cache/edgeshift). Every new line is validated as a cron expression first. An input \
without job lines is refused (exit 2) unless --allow-empty, so a failed plan never clears the \
schedule.",
    after_help = "Examples:\n  edgeshift plan 'edgeshift switch' ws1.time_table.csv ws2.time_table.csv | edgeshift crontab install -\n  edgeshift crontab install lines.txt --user os --dry-run\n  edgeshift crontab show\n  edgeshift crontab remove --file /etc/cron.d/edgeshift"
)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Put the lines of FILE (or stdin with `-`) into the block, replacing or appending it.
    Install(InstallArgs),
    /// Print the block's lines (exit 3 when there is no block).
    Show(Common),
    /// Remove the block (and its lines); other lines stay.
    Remove(Common),
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  edgeshift crontab show\n  edgeshift crontab remove --user os --dry-run"
)]
pub struct Common {
    /// Edit this user's crontab (crontab -u; needs root).
    #[arg(long, short = 'u', conflicts_with = "file")]
    pub user: Option<String>,
    /// Edit a crontab-format file instead of a user's crontab.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Name in the marker comments (`# BEGIN NAME ...` / `# END NAME`).
    #[arg(long, default_value = crontab::DEFAULT_BLOCK)]
    pub marker: String,
    /// Print a unified diff of the change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Folder for copies of the previous crontab (default ~/.cache/edgeshift).
    #[arg(long)]
    pub backup_dir: Option<PathBuf>,
    /// The crontab program to run.
    #[arg(long, default_value = "crontab")]
    pub crontab_cmd: PathBuf,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Writes the crontab (through `crontab`, or the --file atomically) and a copy of the previous one in the backup folder.\n\nExamples:\n  edgeshift plan sw.sh ws1.time_table.csv ws2.time_table.csv | edgeshift crontab install -\n  edgeshift crontab install lines.txt --user os --dry-run\n  edgeshift crontab install lines.txt --file /tmp/testbed.crontab"
)]
pub struct InstallArgs {
    /// File with the lines to install, `-` for stdin.
    #[arg(default_value = "-")]
    pub input: PathBuf,
    /// Install even when the input has no job line (empties the block).
    #[arg(long)]
    pub allow_empty: bool,
    #[command(flatten)]
    pub common: Common,
}

fn target_and_opts(c: &Common, allow_empty: bool) -> (CrontabTarget, CrontabOptions) {
    let target = match &c.file {
        Some(f) => CrontabTarget::File(f.clone()),
        None => CrontabTarget::User(c.user.clone()),
    };
    let opts = CrontabOptions {
        block: c.marker.clone(),
        dry_run: c.dry_run,
        allow_empty,
        backup_dir: c.backup_dir.clone(),
        crontab_cmd: c.crontab_cmd.clone(),
    };
    (target, opts)
}

fn report(what: &str, dry_run: bool, o: &InstallOutcome) {
    if dry_run {
        if o.diff.is_empty() {
            eprintln!("edgeshift crontab {what}: dry run, no change");
        } else {
            print!("{}", o.diff);
        }
        return;
    }
    if !o.changed {
        eprintln!("edgeshift crontab {what}: already up to date, nothing changed");
        return;
    }
    if let Some(b) = &o.backup {
        eprintln!(
            "edgeshift crontab {what}: done; previous crontab kept in {}",
            b.display()
        );
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.action {
        Action::Install(a) => {
            let (target, opts) = target_and_opts(&a.common, a.allow_empty);
            let lines = crontab::read_lines_input(&a.input)?;
            let o = crontab::install_block(&target, &lines, &opts)?;
            report("install", opts.dry_run, &o);
        }
        Action::Remove(c) => {
            let (target, opts) = target_and_opts(&c, false);
            let o = crontab::remove_block(&target, &opts)?;
            if !o.had_block {
                eprintln!(
                    "edgeshift crontab remove: no {} block, nothing to remove",
                    opts.block
                );
                return Ok(ExitCode::from(3));
            }
            report("remove", opts.dry_run, &o);
        }
        Action::Show(c) => {
            let (target, opts) = target_and_opts(&c, false);
            match crontab::show_block(&target, &opts)? {
                Some(lines) => {
                    for l in lines {
                        println!("{l}");
                    }
                }
                None => {
                    eprintln!("edgeshift crontab show: no {} block", opts.block);
                    return Ok(ExitCode::from(3));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
