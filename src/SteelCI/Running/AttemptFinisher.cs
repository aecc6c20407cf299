using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Ports;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Running;

/// <summary>Polls one attempt; when it has ended, verifies and publishes its output and decides what the stage does next.</summary>
internal sealed class AttemptFinisher(IComputeBackend backend, IArtifactStore store, IRunReporter reporter, TimeProvider time)
{
    /// <summary>True when the attempt changed state (and the state should be saved).</summary>
    public async Task<bool> TryFinishAsync(RunContext run, PipelineNode node, AttemptRecord attempt, CancellationToken cancellationToken)
    {
        var handle = new AttemptHandle(attempt.Slug, attempt.Handle!);
        var status = await backend.PollAsync(handle, cancellationToken);
        if (!status.IsFinished)
            return false;

        attempt.State = status.State;
        attempt.EndedUtc = time.GetUtcNow();
        var stage = run.StageOf(node.Name);
        if (status.State == AttemptState.Lost)
        {
            attempt.Error = status.Detail ?? "the attempt vanished without an exit status";
            attempt.Failure = FailureClass.Lost;
            await KeepCheckpointAsync(run, node, attempt, handle, cancellationToken);
            PipelineRunner.RequeueOrFailLost(run, node.Name, attempt);
            reporter.AttemptFinished(node.Name, attempt, "lost");
            return true;
        }

        var output = await backend.CollectAsync(handle, cancellationToken);
        var marker = TrainerContract.FindEndMarker(output.Log);
        if (status.State == AttemptState.Error || marker is null || marker.Value.Status == "failed")
        {
            attempt.State = AttemptState.Error;
            attempt.Error = Explain(status, marker is null, output.Log);
            attempt.Failure = FailureClass.Code;
            stage.Fail(node.Name, FailureClass.Code, attempt.Error); // the summary says "{stage} failed:" once, before this
            reporter.AttemptFinished(node.Name, attempt, "error");
            return true;
        }

        VerifiedOutput verified;
        try
        {
            verified = ManifestVerifier.VerifyOutput(output.Directory, run.Keys[node.Name]); // the one hash of the output's files
            var (pipeline, stageName) = (verified.Manifest.Pipeline, verified.Manifest.Stage);
            if (pipeline != run.Pipeline.Name || stageName != node.Name)
                throw new InvalidDataException($"the manifest is for {pipeline}/{stageName}, not {run.Pipeline.Name}/{node.Name}");
            if (marker.Value.ManifestSha256 != verified.ManifestSha256)
                throw new InvalidDataException($"the end marker names manifest {marker.Value.ManifestSha256}, the file hashes to {verified.ManifestSha256}");
        }
        catch (InvalidDataException error)
        {
            return Refuse(node, stage, attempt, error);
        }

        var manifest = verified.Manifest;
        var tag = ReleaseTag.For(manifest).ToString();
        try
        {
            await store.PublishAsync(tag, verified, run.Request.Force, cancellationToken);
        }
        catch (ChangedBytesException error)
        {
            return Refuse(node, stage, attempt, error); // a file changed between verification and publishing
        }
        attempt.Release = tag;
        attempt.EpochsDone = manifest.Status == OutputStatus.Complete ? manifest.Progress.EpochsTotal : manifest.Progress.EpochsDone;
        attempt.TrainedUtc = manifest.CreatedUtc;
        if (manifest.Status == OutputStatus.Complete)
        {
            stage.Complete(node.Name, tag);
            reporter.AttemptFinished(node.Name, attempt, "complete");
            reporter.StageFinished(node.Name, stage);
            return true;
        }

        var previous = stage.Attempts.Where(a => a != attempt && a.Release?.Contains("-partial-e") == true)
            .Select(a => ReleaseTag.TryParse(run.Pipeline.Name, a.Release!)?.PartialEpochs ?? 0).DefaultIfEmpty(0).Max();
        reporter.AttemptFinished(node.Name, attempt, $"partial, {manifest.Progress.EpochsDone}/{manifest.Progress.EpochsTotal} epochs");
        if (manifest.Progress.EpochsDone <= previous)
            stage.Fail(node.Name, FailureClass.NoProgress, $"a session ended without finishing an epoch ({manifest.Progress.EpochsDone}/{manifest.Progress.EpochsTotal}); " +
                "raise session_minutes or lower the work per epoch");
        else
            stage.Requeue(node.Name);
        return true;
    }

    /// <summary>
    /// A lost attempt of a resumable stage whose backend still holds its output (<see cref="ILostAttemptOutput"/>):
    /// the last periodic checkpoint, once verified like any output, is published as a partial release so the next
    /// attempt resumes from it. Anything that does not verify (a checkpoint cut off mid-write) is left alone.
    /// </summary>
    private async Task KeepCheckpointAsync(RunContext run, PipelineNode node, AttemptRecord attempt, AttemptHandle handle, CancellationToken cancellationToken)
    {
        if (!node.Resumable || backend is not ILostAttemptOutput lost || await lost.LostOutputAsync(handle, cancellationToken) is not { } directory)
            return;
        VerifiedOutput verified;
        try
        {
            verified = ManifestVerifier.VerifyOutput(directory, run.Keys[node.Name]);
        }
        catch (InvalidDataException error)
        {
            attempt.Error += $"; its last checkpoint was not whole ({error.Message})";
            return;
        }
        var manifest = verified.Manifest;
        if (manifest.Status != OutputStatus.Partial || manifest.Pipeline != run.Pipeline.Name || manifest.Stage != node.Name || manifest.Progress.EpochsDone < 1)
            return;
        var tag = ReleaseTag.For(manifest).ToString();
        await store.PublishAsync(tag, verified, run.Request.Force, cancellationToken);
        attempt.Release = tag;
        attempt.EpochsDone = manifest.Progress.EpochsDone;
        attempt.TrainedUtc = manifest.CreatedUtc;
        attempt.Error += $"; its last checkpoint ({manifest.Progress.EpochsDone}/{manifest.Progress.EpochsTotal} epochs) was kept as {tag}";
    }

    private bool Refuse(PipelineNode node, StageState stage, AttemptRecord attempt, Exception error)
    {
        attempt.State = AttemptState.Error;
        attempt.Error = $"output refused: {error.Message}";
        attempt.Failure = FailureClass.Output;
        stage.Fail(node.Name, FailureClass.Output, attempt.Error);
        reporter.AttemptFinished(node.Name, attempt, "refused");
        return true;
    }

    private static string Explain(AttemptStatus status, bool noMarker, string log)
    {
        var tail = string.Join(" | ", log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith(TrainerContract.EndMarkerPrefix)).TakeLast(3));
        var what = noMarker ? "the trainer ended without its end marker" : status.Detail ?? "the trainer reported a failure";
        return string.IsNullOrEmpty(tail) ? what : $"{what}; log ends: {tail}";
    }
}
