//! `coffer serve`: the key management service on one port.
//!
//! Reads the configuration (data directory, listen address, identities file), opens the
//! embedded default store (SQLite in the data directory) and the root key (a file created
//! on first start), and serves the AWS KMS API and the health check until interrupted.
//! Without an identities file, the first start creates account `000000000000` with one root
//! access key, writes it to `DIR/credentials` (mode 0600) and prints how to use it; the
//! secret is never logged.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use coffer_crypto::{FileRootKey, RootKeyProvider, Secret, SecureRandom, SystemRandom};
use coffer_kms::Kms;
use coffer_kms::audit::FileAudit;
use coffer_kms::clock::SystemClock;
use coffer_kms::iam::Identities;
use coffer_store::SqliteStore;

use super::{Fatal, Status};

/// `coffer serve` options.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where keys, the root key, the audit log and the default credentials live.
    #[arg(long, default_value = "./coffer-data")]
    data_dir: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:4600")]
    listen: SocketAddr,
    /// Accounts, principals, access keys and policies (JSON, or TOML by extension).
    #[arg(long)]
    identities: Option<PathBuf>,
    /// Seconds between sweeps that delete keys at the end of their waiting period and
    /// rotate keys that are due.
    #[arg(long, default_value_t = 10)]
    sweep_interval: u64,
}

/// The account of a server started without an identities file.
const DEFAULT_ACCOUNT: &str = "000000000000";

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> Result<Status, Fatal> {
    let rng = SystemRandom;
    create_private_dir(&args.data_dir)?;
    let identities = match &args.identities {
        Some(path) => load_identities(path)?,
        None => default_identities(&args.data_dir, &rng)?,
    };
    let root =
        FileRootKey::open_or_create(&args.data_dir, &rng).and_then(|p| p.root_key()).map_err(
            |e| Fatal(format!("cannot open the root key in `{}`: {e}", args.data_dir.display())),
        )?;
    let db = args.data_dir.join("coffer.db");
    let store = SqliteStore::open(&db)
        .map_err(|e| Fatal(format!("cannot open the store `{}`: {e}", db.display())))?;
    let audit_path = args.data_dir.join("audit.log");
    let audit = FileAudit::open(&audit_path)
        .map_err(|e| Fatal(format!("cannot open the audit log `{}`: {e}", audit_path.display())))?;
    let kms = Arc::new(Kms::new(
        Arc::new(store),
        root,
        Arc::new(SystemRandom),
        Arc::new(SystemClock),
        identities,
        Arc::new(audit),
    ));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Fatal(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(serve(kms, args.listen, Duration::from_secs(args.sweep_interval.max(1))))?;
    Ok(Status::Clean)
}

async fn serve(kms: Arc<Kms>, listen: SocketAddr, sweep_every: Duration) -> Result<(), Fatal> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Fatal(format!("cannot listen on `{listen}`: {e}")))?;
    let sweeper = Arc::clone(&kms);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(sweep_every);
        loop {
            tick.tick().await;
            let k = Arc::clone(&sweeper);
            match tokio::task::spawn_blocking(move || k.sweep()).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "sweep failed"),
                Err(e) => tracing::error!(error = %e, "sweep task failed"),
            }
        }
    });
    let state = Arc::new(coffer_server::AppState { kms, max_skew_secs: 15 * 60 });
    let app = coffer_server::router(state);
    tracing::info!(address = %listen, "coffer is listening");
    eprintln!("coffer: listening on http://{listen}");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| Fatal(format!("the server stopped: {e}")))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn create_private_dir(dir: &Path) -> Result<(), Fatal> {
    fs::create_dir_all(dir)
        .map_err(|e| Fatal(format!("cannot create the data directory `{}`: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
            Fatal(format!("cannot restrict the data directory `{}`: {e}", dir.display()))
        })?;
    }
    Ok(())
}

fn load_identities(path: &Path) -> Result<Identities, Fatal> {
    let text = fs::read_to_string(path)
        .map_err(|e| Fatal(format!("cannot read `{}`: {e}", path.display())))?;
    let toml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    Identities::parse(&text, toml).map_err(|e| Fatal(format!("`{}`: {e}", path.display())))
}

/// The credentials file of a server without an identities file: created once, reused.
fn default_identities(dir: &Path, rng: &dyn SecureRandom) -> Result<Identities, Fatal> {
    let path = dir.join("credentials");
    let (id, secret) = if path.exists() {
        read_credentials(&path)?
    } else {
        let (id, secret) = new_credentials(rng)?;
        write_private(
            &path,
            &format!(
                "[default]\naws_access_key_id = {id}\naws_secret_access_key = {}\n",
                secret_text(&secret)
            ),
        )?;
        println!(
            "Created account {DEFAULT_ACCOUNT} with a root access key, saved in `{}`. To use it:",
            path.display()
        );
        println!("export AWS_ACCESS_KEY_ID={id}");
        println!("export AWS_SECRET_ACCESS_KEY={}", secret_text(&secret));
        (id, secret)
    };
    Ok(Identities::single_root(DEFAULT_ACCOUNT, &id, secret))
}

fn secret_text(s: &Secret) -> String {
    String::from_utf8_lossy(s.expose()).into_owned()
}

fn new_credentials(rng: &dyn SecureRandom) -> Result<(String, Secret), Fatal> {
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const ANY: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = [0u8; 56];
    rng.fill(&mut bytes).map_err(|e| Fatal(format!("cannot create credentials: {e}")))?;
    let id: String = "AKIA"
        .chars()
        .chain(bytes[..16].iter().map(|b| char::from(UPPER[usize::from(*b) % UPPER.len()])))
        .collect();
    let secret: Vec<u8> = bytes[16..].iter().map(|b| ANY[usize::from(*b) % ANY.len()]).collect();
    Ok((id, Secret::new(secret)))
}

fn read_credentials(path: &Path) -> Result<(String, Secret), Fatal> {
    let text = fs::read_to_string(path)
        .map_err(|e| Fatal(format!("cannot read `{}`: {e}", path.display())))?;
    let value = |name: &str| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.trim().to_owned())
            .ok_or_else(|| Fatal(format!("`{}` has no `{name}`", path.display())))
    };
    Ok((value("aws_access_key_id")?, Secret::new(value("aws_secret_access_key")?.into_bytes())))
}

fn write_private(path: &Path, contents: &str) -> Result<(), Fatal> {
    use std::io::Write as _;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f =
        opts.open(path).map_err(|e| Fatal(format!("cannot create `{}`: {e}", path.display())))?;
    f.write_all(contents.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| Fatal(format!("cannot write `{}`: {e}", path.display())))
}
