using SteelCI.Contracts;
using SteelCI.Ports;

namespace SteelCI.Slurm;

/// <summary>
/// Slurm's job states (squeue(1) "JOB STATE CODES") in SteelCI's terms: a job the cluster took away (PREEMPTED,
/// NODE_FAIL, BOOT_FAIL, TIMEOUT, DEADLINE, CANCELLED) is lost and retried from the last checkpoint; FAILED is the
/// code's failure; OUT_OF_MEMORY is a resource setting, named in the message.
/// </summary>
public static class SlurmStates
{
    private static readonly HashSet<string> Waiting = ["PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "CONFIGURING"];
    private static readonly HashSet<string> Taken = ["PREEMPTED", "NODE_FAIL", "BOOT_FAIL", "TIMEOUT", "DEADLINE"];

    public static AttemptStatus Map(SlurmJob job, SlurmOptions options)
    {
        var restarts = job.RestartCount > 0 ? $" (requeued {job.RestartCount}x, same job followed)" : "";
        var reason = string.IsNullOrEmpty(job.Reason) || job.Reason == "None" ? "" : $", reason {job.Reason}";
        return job.State switch
        {
            _ when Waiting.Contains(job.State) => new AttemptStatus(AttemptState.Queued, $"job {job.Id} {job.State}{reason}{restarts}"),
            "COMPLETED" => new AttemptStatus(AttemptState.Complete),
            "FAILED" => new AttemptStatus(AttemptState.Error, $"job {job.Id} FAILED" +
                (job.ExitCode is { } code ? $" with exit code {code} ({TrainerContract.DescribeExit(code)})" : "") + reason),
            "OUT_OF_MEMORY" => new AttemptStatus(AttemptState.Error, $"job {job.Id} ran OUT_OF_MEMORY on the cluster; raise " +
                $"compute.slurm.memory_gb (now {(options.MemoryGb is { } gb ? $"{gb} GB" : "the partition's default")}) or lower the stage's batch"),
            "CANCELLED" => new AttemptStatus(AttemptState.Lost, $"job {job.Id} was CANCELLED on the cluster (scancel, or an admin){reason}"),
            _ when Taken.Contains(job.State) => new AttemptStatus(AttemptState.Lost, $"job {job.Id} ended {job.State}{reason}; " +
                "the cluster took it away, the chunk is retried from its last checkpoint"),
            _ => new AttemptStatus(AttemptState.Running, $"job {job.Id} {job.State}{reason}{restarts}"),
        };
    }
}
