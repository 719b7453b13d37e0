//! The root key in a file: `root.key` in the data directory, made on first start.
//!
//! The file is 33 bytes: a format version byte (0x01), then the 32 key bytes. It must be
//! readable and writable by its owner only (mode 0600 or narrower); a wider file is refused
//! rather than fixed, because a key that others could already read has to be treated as
//! exposed, and that is the operator's call.
//!
//! Creation never leaves a partial or replaced key behind: the bytes go to a temporary file
//! (mode 0600, flushed to disk) that is then linked into place under the final name, which
//! fails if the name exists. Two processes starting at once on a fresh data directory both
//! end up with the one key that was linked first; neither can overwrite a key the other may
//! already have sealed material with. The directory is flushed before the key is used.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::RootKeyProvider;
use crate::aead::KEY_LEN;
use crate::error::CryptoError;
use crate::random::{SecureRandom, random_secret};
use crate::seal::RootKey;
use crate::secret::Secret;

/// The file's name inside the data directory.
const FILE_NAME: &str = "root.key";
/// The file's format version byte.
const FILE_V1: u8 = 0x01;
/// The file's exact length: version byte and key.
const FILE_LEN: usize = 1 + KEY_LEN;

/// A root key kept in `root.key` in a directory.
///
/// Holds only the path; each [`RootKeyProvider::root_key`] call reads the file and checks
/// its mode, length and version again, so a file that was loosened or damaged after start
/// is noticed rather than trusted.
#[derive(Debug, Clone)]
pub struct FileRootKey {
    path: PathBuf,
}

impl FileRootKey {
    /// Uses `dir/root.key`, creating the directory (mode 0700) and a fresh key from `rng`
    /// if there is no key yet.
    ///
    /// An existing file is checked, never replaced: one with a mode wider than 0600, a
    /// wrong length or an unknown version is refused with a message naming the problem.
    pub fn open_or_create(dir: &Path, rng: &dyn SecureRandom) -> Result<FileRootKey, CryptoError> {
        let provider = FileRootKey { path: dir.join(FILE_NAME) };
        match load(&provider.path) {
            Ok(_) => return Ok(provider),
            Err(Load::Missing) => {}
            Err(Load::Refused(error)) => return Err(error),
        }
        create(dir, &provider.path, rng)?;
        // Read back through the same checks, so what is returned is known to load.
        match load(&provider.path) {
            Ok(_) => Ok(provider),
            Err(Load::Missing) => {
                Err(problem(&provider.path, "vanished right after it was created"))
            }
            Err(Load::Refused(error)) => Err(error),
        }
    }

    /// The key file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl RootKeyProvider for FileRootKey {
    fn root_key(&self) -> Result<RootKey, CryptoError> {
        match load(&self.path) {
            Ok(key) => Ok(key),
            Err(Load::Missing) => Err(problem(&self.path, "does not exist")),
            Err(Load::Refused(error)) => Err(error),
        }
    }

    fn describe(&self) -> String {
        format!("the key file `{}`", self.path.display())
    }
}

/// Why a key file could not be loaded: missing (so it may be created) or anything else
/// (so it must not be touched).
enum Load {
    Missing,
    Refused(CryptoError),
}

fn problem(path: &Path, what: impl std::fmt::Display) -> CryptoError {
    CryptoError::RootKey(format!("`{}` {what}", path.display()))
}

fn load(path: &Path) -> Result<RootKey, Load> {
    let refuse = |what: String| Load::Refused(problem(path, what));
    let mut file = match File::open(path) {
        Ok(file) => file,
        // A link whose target is missing is not "no key yet": creating a key through it
        // would put the key wherever the link points.
        Err(error) if error.kind() == ErrorKind::NotFound => {
            // A regular file that appeared since the open (another first start published its
            // key) is not a dangling link: treat it as missing, and creation will find it.
            return Err(match fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => {
                    refuse("is a symbolic link to a file that does not exist".to_owned())
                }
                _ => Load::Missing,
            });
        }
        Err(error) => return Err(refuse(format!("cannot be opened: {error}"))),
    };
    // Checked on the open handle, so the checks and the read concern the same file.
    let metadata =
        file.metadata().map_err(|error| refuse(format!("cannot be inspected: {error}")))?;
    if !metadata.is_file() {
        return Err(refuse("is not a regular file".to_owned()));
    }
    check_mode(path, &metadata).map_err(Load::Refused)?;
    let wrong_length = |len: u64| {
        refuse(format!(
            "is {len} bytes long, but a root key file is exactly {FILE_LEN} bytes: it is damaged \
             or is not a root key file"
        ))
    };
    if metadata.len() != FILE_LEN as u64 {
        return Err(wrong_length(metadata.len()));
    }
    let mut contents = Zeroizing::new([0; FILE_LEN]);
    file.read_exact(&mut contents[..]).map_err(|error| match error.kind() {
        ErrorKind::UnexpectedEof => refuse("changed size while being read".to_owned()),
        _ => refuse(format!("cannot be read: {error}")),
    })?;
    // The file must also end here, in case it grew after it was measured.
    let mut extra = [0; 1];
    match file.read(&mut extra) {
        Ok(0) => {}
        Ok(_) => return Err(refuse("changed size while being read".to_owned())),
        Err(error) => return Err(refuse(format!("cannot be read: {error}"))),
    }
    if contents[0] != FILE_V1 {
        return Err(refuse(format!(
            "has format version {}, which this version does not know",
            contents[0]
        )));
    }
    RootKey::from_secret(Secret::new(contents[1..].to_vec())).map_err(Load::Refused)
}

#[cfg(unix)]
fn check_mode(path: &Path, metadata: &Metadata) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & !0o600 != 0 {
        return Err(problem(
            path,
            format!(
                "has mode {mode:04o}, but only its owner may read or write it (0600 or \
                 narrower); if others could read it, treat the key as exposed, otherwise run \
                 `chmod 600 {}`",
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _metadata: &Metadata) -> Result<(), CryptoError> {
    // Other platforms have no mode bits; access is governed by the directory's ACL.
    Ok(())
}

fn create(dir: &Path, path: &Path, rng: &dyn SecureRandom) -> Result<(), CryptoError> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|error| problem(dir, format!("cannot be created: {error}")))?;

    let key = random_secret(rng, KEY_LEN)?;
    let mut contents = Zeroizing::new(Vec::with_capacity(FILE_LEN));
    contents.push(FILE_V1);
    contents.extend_from_slice(key.expose());

    // Unique per process and per attempt, so concurrent creators never share a temp file.
    let mut tag = [0; 8];
    rng.fill(&mut tag)?;
    let tag: String = tag.iter().map(|byte| format!("{byte:02x}")).collect();
    let temp = dir.join(format!(".{FILE_NAME}.{}.{tag}.tmp", std::process::id()));

    let published = write_new(&temp, &contents).and_then(|()| publish(&temp, path));
    // The temporary name holds a copy of a key: it must not outlive this call, whatever
    // happened. After a successful link it is a second name of the same file.
    let _ = fs::remove_file(&temp);
    published.map_err(|error| problem(path, format!("cannot be created: {error}")))?;
    sync_dir(dir).map_err(|error| problem(dir, format!("cannot be flushed to disk: {error}")))
}

fn write_new(temp: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(temp)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Gives the temporary file its final name unless that name already exists.
fn publish(temp: &Path, path: &Path) -> io::Result<()> {
    match fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        // Someone else's key got there first; it is the one to use.
        Err(error) if error.kind() == ErrorKind::AlreadyExists => Ok(()),
        // A filesystem without hard links: rename instead. Rename would replace an existing
        // file, so it is only done while there is none; the remaining window needs two first
        // starts at the same instant on such a filesystem.
        Err(link_error) => match fs::symlink_metadata(path) {
            Ok(_) => Ok(()),
            Err(error) if error.kind() == ErrorKind::NotFound => {
                fs::rename(temp, path).map_err(|_| link_error)
            }
            Err(error) => Err(error),
        },
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Directories cannot be opened for flushing here; the rename or link is durable once
    // the filesystem commits its metadata.
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::sync::Barrier;

    use super::*;
    use crate::random::SystemRandom;
    use crate::random::testing::{CounterRandom, FailingRandom};

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn set_mode(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn key_bytes(provider: &FileRootKey) -> Vec<u8> {
        provider.root_key().unwrap().expose().to_vec()
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn refusal(result: Result<FileRootKey, CryptoError>) -> String {
        match result {
            Err(CryptoError::RootKey(message)) => message,
            other => panic!("expected a root key error, got {other:?}"),
        }
    }

    #[test]
    fn creates_an_owner_only_file_with_the_drawn_key() {
        let dir = tempfile::tempdir().unwrap();
        let provider = FileRootKey::open_or_create(dir.path(), &CounterRandom::new(0)).unwrap();
        assert_eq!(provider.path(), dir.path().join("root.key"));
        assert_eq!(mode_of(provider.path()), 0o600);
        let contents = fs::read(provider.path()).unwrap();
        assert_eq!(contents.len(), 33);
        assert_eq!(contents[0], 0x01);
        // The key is the first 32 bytes drawn.
        assert_eq!(&contents[1..], &(0u8..32).collect::<Vec<_>>()[..]);
        assert_eq!(key_bytes(&provider), &contents[1..]);
        // Nothing else is left in the directory.
        assert_eq!(names_in(dir.path()), ["root.key"]);
    }

    #[test]
    fn reopening_returns_the_same_key_and_leaves_the_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let first = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        let before = fs::read(first.path()).unwrap();
        let second = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        assert_eq!(key_bytes(&first), key_bytes(&second));
        assert_eq!(fs::read(second.path()).unwrap(), before);
    }

    #[test]
    fn creates_a_missing_data_directory() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("data").join("nested");
        let provider = FileRootKey::open_or_create(&dir, &SystemRandom).unwrap();
        assert_eq!(mode_of(&dir), 0o700);
        assert_eq!(key_bytes(&provider).len(), 32);
    }

    #[test]
    fn refuses_modes_wider_than_0600_and_keeps_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let provider = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        let before = fs::read(provider.path()).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o700, 0o4600] {
            set_mode(provider.path(), mode);
            let message = refusal(FileRootKey::open_or_create(dir.path(), &SystemRandom));
            assert!(message.contains(&format!("{mode:04o}")), "{message}");
            assert!(message.contains("chmod 600"), "{message}");
            assert!(matches!(provider.root_key(), Err(CryptoError::RootKey(_))), "{mode:o}");
            assert_eq!(fs::read(provider.path()).unwrap(), before, "the file was changed");
        }
    }

    #[test]
    fn accepts_narrower_modes() {
        let dir = tempfile::tempdir().unwrap();
        let provider = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        let key = key_bytes(&provider);
        set_mode(provider.path(), 0o400);
        let reopened = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        assert_eq!(key_bytes(&reopened), key);
    }

    #[test]
    fn refuses_a_file_of_the_wrong_length() {
        let dir = tempfile::tempdir().unwrap();
        let provider = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        let contents = fs::read(provider.path()).unwrap();
        for len in [0, 1, 32, 34] {
            let mut damaged = contents.clone();
            damaged.resize(len, 0);
            fs::write(provider.path(), &damaged).unwrap();
            let message = refusal(FileRootKey::open_or_create(dir.path(), &SystemRandom));
            assert!(message.contains(&format!("is {len} bytes long")), "{message}");
            assert!(provider.root_key().is_err());
            // Refused, not replaced.
            assert_eq!(fs::read(provider.path()).unwrap(), damaged);
        }
    }

    #[test]
    fn refuses_an_unknown_version() {
        let dir = tempfile::tempdir().unwrap();
        let provider = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        let mut contents = fs::read(provider.path()).unwrap();
        contents[0] = 0x02;
        fs::write(provider.path(), &contents).unwrap();
        let message = refusal(FileRootKey::open_or_create(dir.path(), &SystemRandom));
        assert!(message.contains("format version 2"), "{message}");
    }

    #[test]
    fn refuses_a_directory_in_its_place() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("root.key")).unwrap();
        let message = refusal(FileRootKey::open_or_create(dir.path(), &SystemRandom));
        assert!(message.contains("not a regular file"), "{message}");
    }

    #[test]
    fn refuses_a_dangling_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.path().join("root.key")).unwrap();
        let message = refusal(FileRootKey::open_or_create(dir.path(), &SystemRandom));
        assert!(message.contains("symbolic link"), "{message}");
        assert!(!target.exists());
    }

    #[test]
    fn a_deleted_file_is_reported_not_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let provider = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        fs::remove_file(provider.path()).unwrap();
        assert!(
            matches!(provider.root_key(), Err(CryptoError::RootKey(m)) if m.contains("does not exist"))
        );
        assert!(!provider.path().exists());
    }

    #[test]
    fn a_failed_random_source_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            FileRootKey::open_or_create(dir.path(), &FailingRandom).unwrap_err(),
            CryptoError::Random
        );
        assert!(names_in(dir.path()).is_empty());
    }

    #[test]
    fn messages_never_contain_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let provider = FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap();
        let key = key_bytes(&provider);
        let hex: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
        set_mode(provider.path(), 0o644);
        let texts = [
            provider.describe(),
            format!("{provider:?}"),
            format!("{:?}", provider.root_key()),
            refusal(FileRootKey::open_or_create(dir.path(), &SystemRandom)),
        ];
        // Neither as hex nor as the start of a decimal list.
        let decimal = format!("{:?}", &key[..4]);
        let decimal = decimal.trim_end_matches(']');
        for text in &texts {
            assert!(!text.contains(&hex), "{text}");
            assert!(!text.contains(decimal), "{text}");
        }
        assert!(provider.describe().contains("root.key"));
    }

    #[test]
    fn concurrent_first_starts_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let starters = 8;
        let barrier = Barrier::new(starters);
        let keys: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..starters)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        key_bytes(&FileRootKey::open_or_create(dir.path(), &SystemRandom).unwrap())
                    })
                })
                .collect();
            handles.into_iter().map(|handle| handle.join().unwrap()).collect()
        });
        assert!(keys.windows(2).all(|pair| pair[0] == pair[1]));
        assert_eq!(names_in(dir.path()), ["root.key"]);
    }
}
