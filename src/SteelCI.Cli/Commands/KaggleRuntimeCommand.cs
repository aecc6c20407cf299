using System.CommandLine;
using Spectre.Console;
using SteelCI.Kaggle.Backend;
using SteelCI.Kaggle.Probe;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci kaggle runtime --account A [--libtorch V]</c>: prepares the account's pinned CUDA runtime (rung b of the
/// launcher's device ladder) once: pushes the one-off kernel with internet on unless it is ready or on its way, and waits.
/// </summary>
public static class KaggleRuntimeCommand
{
    public static Command Create(CliServices services, Option<string?> account, Option<string?> url, Option<string?> workspace, Option<double?> poll)
    {
        var libtorch = new Option<string>("--libtorch") { Description = $"The libtorch version TorchSharp binds (default {ProbeReport.DefaultLibtorch}, TorchSharp 0.107's)", DefaultValueFactory = _ => ProbeReport.DefaultLibtorch };
        var noWait = new Option<bool>("--no-wait") { Description = "Push the runtime kernel and return without waiting for it" };
        var command = new Command("runtime", "Prepare the account's pinned CUDA libtorch runtime (a one-off kernel with internet on), used when the image's torch has drifted")
        {
            account, url, workspace, poll, libtorch, noWait,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(account), result.GetValue(url), result.GetValue(workspace),
            result.GetValue(poll), result.GetValue(libtorch)!, result.GetValue(noWait), services, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? account, string? url, string? workspaceRoot, double? pollSeconds, string libtorch, bool noWait,
        CliServices services, CancellationToken cancellationToken)
    {
        var values = new KaggleRunOptions.Values("kaggle", account is null ? [] : [account], url, pollSeconds);
        using var wiring = services.Kaggle(values, Path.GetFullPath(workspaceRoot ?? ".steelci"));
        var client = wiring.Backend.ClientFor(wiring.Backend.Accounts[0]);
        var owner = await client.GetUsernameAsync(cancellationToken);
        var status = await wiring.Backend.Runtimes.PrepareAsync(client, owner, libtorch, cancellationToken);
        while (!noWait && status.State == RuntimeState.Preparing)
        {
            await Task.Delay(values.PollInterval("kaggle"), services.Time, cancellationToken);
            status = await wiring.Backend.Runtimes.StatusAsync(client, owner, libtorch, cancellationToken);
        }
        services.Console.WriteLine($"pinned CUDA runtime {owner}/{status.Slug} (libtorch {libtorch}, CUDA {Kernels.PinnedRuntime.Cuda}): " +
            status.State.ToString().ToLowerInvariant() + (status.Detail is null ? "" : $" ({status.Detail})"));
        if (status.State == RuntimeState.Ready)
            services.Console.WriteLine("gpu stages on this account now mount it; `steelci kaggle probe` shows the rung they take");
        return status.State is RuntimeState.Ready or RuntimeState.Preparing ? ExitCodes.Success : ExitCodes.Infrastructure;
    }
}
