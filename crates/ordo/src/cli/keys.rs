//! `ordo keys`: Keys: rotate a tenant's data key or the master key.

use super::*;

#[derive(Subcommand, Debug)]
pub(super) enum KeysCommand {
    /// Create a new master key file (mode 0600); refuses to overwrite one.
    Generate {
        /// Where to write the key.
        file: PathBuf,
    },
    /// Rotate a tenant's data key: new values use a new key at once; stored
    /// values are re-encrypted (resumable); the old key goes when unused.
    Rotate {
        /// The tenant's slug.
        #[arg(long)]
        tenant: String,
        /// Only rotate; let a running server re-encrypt in the background.
        #[arg(long)]
        background: bool,
    },
    /// Re-wrap every tenant's key-encryption key under a new master key (no
    /// data is rewritten; resumable). Afterwards, set ORDO_MASTER_KEY_FILE to
    /// the new file.
    RotateMaster {
        /// The new master key file (create it with `ordo keys generate`).
        #[arg(long, value_name = "FILE")]
        new_key_file: PathBuf,
    },
}

pub(super) async fn run(cmd: KeysCommand, config: Config) -> Result<ExitCode, StartError> {
    match cmd {
        KeysCommand::Generate { file } => Ok(keys_generate(&file)),
        KeysCommand::Rotate { tenant, background } => {
            let app = server::open(&config, Arc::new(SystemClock)).await?;
            let Some(slug) = tenant_slug(&app, &tenant).await? else { return Ok(ExitCode::from(2)) };
            let v = ordo_app::keyops::rotate_tenant_key(&app, &slug).await?;
            println!("tenant {slug}: new data key version {v}");
            if background {
                println!("a running server re-encrypts the stored values in the background");
                return Ok(ExitCode::SUCCESS);
            }
            reseal_to_completion(&app, &slug).await
        }
        KeysCommand::RotateMaster { new_key_file } => {
            // The new key becomes current; the configured one (and any older
            // ones) stay readable until every tenant key is re-wrapped.
            let old = server::key_provider(&config)?;
            let new = ordo_crypto::master_key::MasterKey::load(&new_key_file).map_err(StartError::Key)?;
            let mut older =
                vec![ordo_crypto::master_key::MasterKey::load(&config.master_key_path()).map_err(StartError::Key)?];
            for p in &config.old_master_key_files {
                older.push(ordo_crypto::master_key::MasterKey::load(p).map_err(StartError::Key)?);
            }
            drop(old);
            let provider = ordo_crypto::keys::FileKeyProvider::new(new, older);
            let app = server::open_with(&config, Arc::new(SystemClock), provider).await?;
            let n = ordo_app::keyops::rotate_master(&app).await?;
            println!("{n} tenant key(s) re-wrapped under the new master key.");
            println!(
                "Now set ORDO_MASTER_KEY_FILE={} (keep the old key in ORDO_OLD_MASTER_KEY_FILES until every node runs with the new one).",
                new_key_file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
