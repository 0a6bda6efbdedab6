//! A fixed CPU share for one server process: a cgroup of its own whose CPU quota is `cores`
//! cores (cgroup v1 `cpu` controller: `cpu.cfs_quota_us` / `cpu.cfs_period_us`; cgroup v2:
//! `cpu.max`). Used by the mirror-group figure so that every server — the one of the 1-stripe
//! baseline and each of the 2 stripes — gets the same fixed share of the machine whatever else
//! runs (issue #12: "on a 2-core machine, run the stripes' servers with a fixed share of cores,
//! and state the method"). Needs write access to the cgroup file system (root); without it the
//! figure says so instead of a number.

use std::path::{Path, PathBuf};

use crate::Res;

/// Scheduler period of the quota.
const PERIOD_US: u64 = 100_000;

/// One cgroup, removed on drop (after its processes ended).
pub(crate) struct CpuShare {
    dir: PathBuf,
}

impl CpuShare {
    /// A new cgroup named `name` limited to `cores` cores.
    pub(crate) fn new(name: &str, cores: f64) -> Res<CpuShare> {
        let quota = (cores * PERIOD_US as f64).round() as u64;
        let v1 = Path::new("/sys/fs/cgroup/cpu");
        let v2 = Path::new("/sys/fs/cgroup");
        let (dir, files): (PathBuf, Vec<(&str, String)>) = if v1.join("cpu.cfs_quota_us").exists() {
            (
                v1.join(name),
                vec![
                    ("cpu.cfs_period_us", PERIOD_US.to_string()),
                    ("cpu.cfs_quota_us", quota.to_string()),
                ],
            )
        } else if std::fs::read_to_string(v2.join("cgroup.controllers"))
            .is_ok_and(|c| c.split_whitespace().any(|w| w == "cpu"))
        {
            // The cpu controller must be enabled for the children of the root.
            let _ = std::fs::write(v2.join("cgroup.subtree_control"), "+cpu");
            (
                v2.join(name),
                vec![("cpu.max", format!("{quota} {PERIOD_US}"))],
            )
        } else {
            return Err(
                "no cgroup cpu controller (neither /sys/fs/cgroup/cpu nor cgroup v2 with cpu)"
                    .into(),
            );
        };
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create cgroup {}: {e} (needs root)", dir.display()))?;
        let share = CpuShare { dir };
        for (file, value) in files {
            std::fs::write(share.dir.join(file), &value).map_err(|e| {
                format!(
                    "cannot write {value} to {}: {e}",
                    share.dir.join(file).display()
                )
            })?;
        }
        Ok(share)
    }

    /// Moves process `pid` (all its threads) into the cgroup.
    pub(crate) fn add(&self, pid: u32) -> Res<()> {
        std::fs::write(self.dir.join("cgroup.procs"), pid.to_string())
            .map_err(|e| format!("cannot move process {pid} into {}: {e}", self.dir.display()))?;
        Ok(())
    }
}

impl Drop for CpuShare {
    fn drop(&mut self) {
        // The processes are gone by now (the cluster kills them first); an empty cgroup is
        // removed with rmdir.
        for _ in 0..50 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
