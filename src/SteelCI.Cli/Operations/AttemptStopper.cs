using Spectre.Console;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// Finds the backend an attempt runs on, for <c>steelci cancel</c>, asks it to cancel the attempt
/// (<see cref="IComputeBackend.CancelAsync"/>: local kills the process tree, Kaggle deletes the kernel, Slurm cancels the
/// job), and says what was lost. The Kaggle and Slurm clients are made on first need.
/// </summary>
public sealed class AttemptStopper(CliServices services, Workspace workspace, KaggleRunOptions.Values backend, IAnsiConsole console,
    Spec.Pipeline? pipeline) : IDisposable
{
    private KaggleWiring? _kaggle;
    private SlurmWiring? _slurm;

    /// <summary>Cancels <paramref name="attempt"/>; the reason to record, in words.</summary>
    public async Task<string> StopAsync(AttemptRecord attempt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (attempt.Handle is null)
            return "never confirmed by the backend; nothing to stop";
        var data = new Dictionary<string, string>(attempt.Handle);
        if (attempt.Account is { } account)
            data.TryAdd("account", account);
        var done = await BackendOf(attempt).CancelAsync(new AttemptHandle(attempt.Slug, data), cancellationToken);
        var lost = attempt.ResumedFrom is null ? "from the start of the stage" : $"since checkpoint {attempt.ResumedFrom}";
        return $"{done}; the work of this session ({StatusReport.Duration(now - attempt.StartedUtc)}, {lost}) is lost";
    }

    private IComputeBackend BackendOf(AttemptRecord attempt) => attempt.Backend switch
    {
        "local" => services.LocalBackend(workspace.Root),
        "kaggle" => (_kaggle ??= services.Kaggle(backend, workspace.Root, console)).Backend,
        "slurm" when pipeline is not null => (_slurm ??= services.Slurm(pipeline)).Backend,
        _ => throw new InvalidOperationException(
            $"attempt {attempt.Slug} runs on backend '{attempt.Backend}', which steelci cancel cannot reach; stop it there by hand"),
    };

    public void Dispose()
    {
        _kaggle?.Dispose();
        _slurm?.Dispose();
    }
}
