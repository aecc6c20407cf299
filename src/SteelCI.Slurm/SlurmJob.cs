namespace SteelCI.Slurm;

/// <summary>What SteelCI reads of a job: its base state (PENDING, RUNNING, ...), state flags, reason, exit code, restarts.</summary>
public sealed record SlurmJob(long Id, string State, IReadOnlyList<string> Flags, string? Reason, int? ExitCode, int RestartCount);

/// <summary>One batch job to submit: the script and where it runs, what it may use, where its output goes.</summary>
public sealed record SlurmSubmission(
    string Name,
    string Script,
    string Partition,
    int TimeLimitMinutes,
    string WorkingDirectory,
    string StandardOutput,
    IReadOnlyDictionary<string, string> Environment)
{
    public string? Gres { get; init; }
    public string? Account { get; init; }
    public int? MemoryMb { get; init; }
}

public class SlurmException(string message, Exception? inner = null) : Exception(message, inner);
