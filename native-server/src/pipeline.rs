//! The commit pipeline: what happens to a batch of transactions after it is applied in memory
//! and before anyone is told about it (acknowledgement, broadcast).
//!
//! In-memory mode (`temporary-swap-only`) has no stages. The persistence issue plugs a durability
//! stage in here (one journal sync per batch = group commit) and the HA issue a replication stage
//! (acknowledged only once every PASSIVE-STANDBY has the batch); both run before the
//! acknowledgement, in the order they are added.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use crate::state::AppliedTxn;
use crate::ServerError;

/// A boxed future of a stage.
pub type StageFuture<'a> = Pin<Box<dyn Future<Output = Result<(), ServerError>> + Send + 'a>>;

/// One stage of the pipeline (make durable, replicate, ...).
pub trait CommitStage: Send + Sync + Debug {
    /// Stage name for logs and errors.
    fn name(&self) -> &'static str;
    /// Completes when the batch has passed this stage. `client` is the originating client.
    fn commit<'a>(&'a self, client: u64, batch: &'a [AppliedTxn]) -> StageFuture<'a>;
}

/// The ordered stages.
#[derive(Debug, Default)]
pub struct Pipeline {
    stages: Vec<Box<dyn CommitStage>>,
}

impl Pipeline {
    /// No stages (in memory).
    pub fn in_memory() -> Self {
        Pipeline::default()
    }
    /// Appends a stage.
    pub fn with_stage(mut self, stage: Box<dyn CommitStage>) -> Self {
        self.stages.push(stage);
        self
    }
    /// True when there is nothing to wait for.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }
    /// Runs the batch through every stage in order.
    pub async fn commit(&self, client: u64, batch: &[AppliedTxn]) -> Result<(), ServerError> {
        for s in &self.stages {
            s.commit(client, batch).await?;
        }
        Ok(())
    }
}
