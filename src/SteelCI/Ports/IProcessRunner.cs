namespace SteelCI.Ports;

/// <summary>Starts programs. Only the CLI's composition root creates the real one; tests use it too (real processes).</summary>
public interface IProcessRunner
{
    /// <summary>Runs to the end and captures the output.</summary>
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken);

    /// <summary>Starts a program that outlives this process; its output goes where <see cref="ProcessSpec"/> says.</summary>
    StartedProcess StartDetached(ProcessSpec spec);

    /// <summary>Whether the process started earlier is still the one running under that id.</summary>
    bool IsAlive(StartedProcess process);

    /// <summary>Kills a process and every process it started.</summary>
    void KillTree(StartedProcess process);
}

public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

public sealed record ProcessResult(int ExitCode, string Output);

/// <summary>A process id plus its start time, so a reused id is never mistaken for our process.</summary>
public sealed record StartedProcess(int Id, long StartTicks);
