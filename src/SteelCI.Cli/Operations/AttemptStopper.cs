using Spectre.Console;
using SteelCI.Kaggle.Api;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// Stops one active attempt where it runs, for <c>steelci cancel</c>, and says what was lost. Local attempts: the
/// process tree is killed. Kaggle: the kernel is deleted (the API cannot stop a session otherwise); the Kaggle clients
/// are made on first need.
/// </summary>
public sealed class AttemptStopper(CliServices services, Workspace workspace, KaggleRunOptions.Values backend, IAnsiConsole console) : IDisposable
{
    private KaggleWiring? _kaggle;

    /// <summary>Stops <paramref name="attempt"/>; the reason to record, in words.</summary>
    public async Task<string> StopAsync(AttemptRecord attempt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var lost = attempt.ResumedFrom is null ? "from the start of the stage" : $"since checkpoint {attempt.ResumedFrom}";
        if (attempt.Handle is null)
            return "never confirmed by the backend; nothing to stop";
        if (attempt.Backend == "local")
        {
            await services.LocalBackend(workspace.Root).StopAsync(new AttemptHandle(attempt.Slug, attempt.Handle), cancellationToken);
            return $"process tree killed; the work of this session ({StatusReport.Duration(now - attempt.StartedUtc)}, {lost}) is lost";
        }
        _kaggle ??= services.Kaggle(backend, workspace.Root, console);
        return await DeleteKernelAsync(_kaggle, attempt, lost, cancellationToken);
    }

    /// <summary>Kaggle's only control over a running session is deleting its kernel: output, log and the version history go with it.</summary>
    private static async Task<string> DeleteKernelAsync(KaggleWiring kaggle, AttemptRecord attempt, string lost, CancellationToken cancellationToken)
    {
        var handle = attempt.Handle!;
        var account = attempt.Account ?? handle.GetValueOrDefault("account");
        var client = kaggle.Clients.FirstOrDefault(c => c.Account.Name == account)
            ?? throw new KaggleException($"attempt {attempt.Slug} runs on Kaggle account '{account}', which is not configured; add --account {account} (or delete it by hand at https://www.kaggle.com/code)");
        var kernel = $"{handle["owner"]}/{handle["kernel"]}";
        try
        {
            await client.DeleteKernelAsync(handle["owner"], handle["kernel"], cancellationToken);
        }
        catch (KaggleNotFoundException)
        {
            return $"kernel {kernel} was already gone on Kaggle";
        }
        return $"deleted kernel {kernel} on account {account} (Kaggle cannot stop a session otherwise): its output, log and " +
            $"the work of this session {lost} are lost; GPU time already used is not refunded";
    }

    public void Dispose() => _kaggle?.Dispose();
}
