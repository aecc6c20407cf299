using System.Globalization;
using System.Text;
using Spectre.Console;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Backend;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Slurm;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// What <c>steelci logs</c> does: finds the attempt (the last by default) and shows its log. Local and Slurm attempts:
/// <c>log.txt</c> in the attempt's folder, tailed with <c>--follow</c> until the attempt ends. Kaggle attempts: the
/// log collected into the workspace; a running one's live log stream (the replay so far, or with <c>--follow</c>
/// every line as it comes until the session ends, across dropped streams, a long silence flagged); an ended one's
/// log asked of Kaggle.
/// </summary>
public sealed class AttemptLogs(CliServices services, TimeSpan poll, TimeSpan silenceLimit)
{
    /// <summary>A log silent this long is flagged (epochs of the Severstal stages take minutes, not half hours).</summary>
    public static readonly TimeSpan DefaultSilence = TimeSpan.FromMinutes(30);

    /// <summary>How long a snapshot of the live log waits for a new event before it takes the log as caught up.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    public async Task<int> ShowAsync(string specPath, string? workspaceRoot, string stageName, int? number, bool follow,
        KaggleRunOptions.Values backend, string? store, CancellationToken cancellationToken)
    {
        var (console, time) = (services.Console, services.Time);
        using var context = services.Operate(specPath, workspaceRoot, null, backend, strict: store is not null, store);
        var state = await context.LoadStateAsync(cancellationToken);
        var output = console.Profile.Out.Writer;
        if (state is null)
            return Fail(console, $"no run recorded in {context.Workspace.Root}; nothing has logs yet");
        if (!state.Stages.TryGetValue(stageName, out var stage))
            return Fail(console, $"stage '{stageName}' is not recorded; recorded: {string.Join(", ", state.Stages.Keys)}");
        if (stage.Attempts.Count == 0)
            return Fail(console, $"stage '{stageName}' has no attempts (status {stage.Status.ToString().ToLowerInvariant()}" +
                (stage.Release is null ? ")" : $", taken from release {stage.Release})"));
        var attempt = number is null ? stage.Attempts[^1] : stage.Attempts.FirstOrDefault(a => a.Number == number);
        if (attempt is null)
            return Fail(console, $"stage '{stageName}' has no attempt {number}; attempts: {string.Join(", ", stage.Attempts.Select(a => a.Number))}");

        if (attempt.Backend == "slurm" && follow && attempt.IsActive && attempt.Handle is not null && context.Pipeline is { Compute.Slurm: not null } followed)
        {
            // Both routes: log.txt in the attempt's folder (mounted here, or by SFTP), read as it grows until the job ends.
            using var slurm = services.Slurm(followed);
            var status = await new SlurmLogFollower(slurm.Backend, slurm.Files, time, poll)
                .FollowAsync(new Ports.AttemptHandle(attempt.Slug, attempt.Handle), output, cancellationToken);
            await output.WriteLineAsync($"-- attempt {attempt.Number} (slurm job {attempt.Handle.GetValueOrDefault("job")}) ended: " +
                status.State.ToString().ToLowerInvariant() + (status.Detail is null ? "" : $" ({status.Detail})"));
            return ExitCodes.Success;
        }

        if (attempt.Backend == "slurm" && context.Pipeline?.Compute.Slurm?.SshHost is not null && attempt.Handle is not null)
        {
            // The SSH route: log.txt read by SFTP from the attempt's folder on the login node.
            using var slurm = services.Slurm(context.Pipeline);
            var text = slurm.Backend.ReadLog(new Ports.AttemptHandle(attempt.Slug, attempt.Handle));
            if (text is null)
                return Fail(console, $"job {attempt.Handle.GetValueOrDefault("job")} has written no log.txt yet on {context.Pipeline.Compute.Slurm.SshHost}");
            await output.WriteAsync(text);
            return ExitCodes.Success;
        }

        if (attempt.Backend == "slurm")
        {
            // The job's standard output is a file in the shared folder (slurmrestd has no log API).
            var log = Path.Combine(LocalDirectory(context.Workspace, attempt), "log.txt");
            if (!File.Exists(log))
                return Fail(console, $"{log} does not exist yet (job {attempt.Handle?.GetValueOrDefault("job")} has not started, or the shared folder is not mounted here)");
            await output.WriteAsync(await File.ReadAllTextAsync(log, cancellationToken));
            return ExitCodes.Success;
        }

        if (attempt.Backend == "local")
        {
            var log = Path.Combine(LocalDirectory(context.Workspace, attempt), "log.txt");
            if (follow && attempt.IsActive && attempt.Handle is not null)
            {
                var processes = services.Processes;
                var process = new StartedProcess(int.Parse(attempt.Handle!["pid"], CultureInfo.InvariantCulture),
                    long.Parse(attempt.Handle["start"], CultureInfo.InvariantCulture));
                return await FollowAsync(log, attempt, output, poll, time, () => Task.FromResult(!processes.IsAlive(process)), cancellationToken);
            }
            if (!File.Exists(log))
                return Fail(console, $"{log} does not exist (the attempt's folder was pruned, or it never started)");
            await output.WriteAsync(await File.ReadAllTextAsync(log, cancellationToken));
            return ExitCodes.Success;
        }

        if (follow && attempt.IsActive && attempt.Handle is not null)
            return await FollowKaggleAsync(backend, context.Workspace.Root, context.Pipeline?.Compute.Kaggle, attempt, output, cancellationToken);
        var collected = Path.Combine(context.Workspace.Root, "kaggle", "outputs", attempt.Slug, "log.txt");
        if (File.Exists(collected))
        {
            await output.WriteAsync(await File.ReadAllTextAsync(collected, cancellationToken));
            return ExitCodes.Success;
        }
        if (attempt.Handle is null)
            return Fail(console, $"attempt {attempt.Number} ({attempt.Slug}) was never confirmed by Kaggle; it has no log");
        using var wiring = services.Kaggle(backend, context.Workspace.Root, console, context.Pipeline?.Compute.Kaggle);
        var client = ClientOf(wiring, attempt);
        if (client is null)
            return Fail(console, NotConfigured(attempt));
        if (attempt.IsActive)
        {
            // The live stream replays the log so far; without --follow, show that much and stop.
            var progress = await new LiveLog(client, time).SnapshotAsync(attempt.Handle["owner"], attempt.Handle["kernel"], Quiet, cancellationToken,
                entry => output.WriteAsync(entry.Data));
            await output.WriteLineAsync($"-- attempt {attempt.Number} is still {attempt.State.ToString().ToLowerInvariant()} on Kaggle ({progress.Describe()}, {progress.Lines} line(s) so far); --follow streams it");
            return ExitCodes.Success;
        }
        var version = int.Parse(attempt.Handle["version"], CultureInfo.InvariantCulture);
        var session = await client.ListKernelSessionOutputAsync(attempt.Handle["owner"], attempt.Handle["kernel"], version, cancellationToken);
        await output.WriteAsync(KernelLog.ToText(session.Log));
        return ExitCodes.Success;
    }

    /// <summary>
    /// Follows a running Kaggle attempt's live log stream to its end, across the drops of the service's load balancer,
    /// printing each line once and flagging a log silent for longer than the limit.
    /// </summary>
    private async Task<int> FollowKaggleAsync(KaggleRunOptions.Values backend, string workspace, SteelCI.Spec.KaggleComputeSpec? configured,
        AttemptRecord attempt, TextWriter output,
        CancellationToken cancellationToken)
    {
        using var wiring = services.Kaggle(backend, workspace, services.Console, configured);
        var client = ClientOf(wiring, attempt);
        if (client is null)
            return Fail(services.Console, NotConfigured(attempt));
        var (owner, kernel) = (attempt.Handle!["owner"], attempt.Handle["kernel"]);
        var (end, progress) = await new LiveLog(client, services.Time).FollowAsync(owner, kernel, async text =>
        {
            await output.WriteAsync(text);
            await output.FlushAsync(cancellationToken);
        }, silenceLimit, warning => services.Console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}"), cancellationToken);
        await output.WriteLineAsync(end == LogFollowEnd.Ended
            ? $"-- attempt {attempt.Number}'s log ended ({progress.Describe()})"
            : $"-- the log stream of {owner}/{kernel} kept failing; gave up ({progress.Describe()}); run `steelci logs` again");
        return ExitCodes.Success;
    }

    private static KaggleClient? ClientOf(KaggleWiring wiring, AttemptRecord attempt) =>
        wiring.Clients.FirstOrDefault(c => c.Account.Name == (attempt.Account ?? attempt.Handle?.GetValueOrDefault("account")));

    private static string NotConfigured(AttemptRecord attempt)
    {
        var account = attempt.Account ?? attempt.Handle?.GetValueOrDefault("account");
        return $"attempt {attempt.Number} ran on Kaggle account '{account}', which is not configured; add --account {account}";
    }

    /// <summary>Prints what the log holds, then what is appended, until the attempt's exit code appears or its process is gone.</summary>
    private static async Task<int> FollowAsync(string log, AttemptRecord attempt, TextWriter output, TimeSpan poll, TimeProvider time,
        Func<Task<bool>> gone, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(log)!;
        long position = 0;
        while (true)
        {
            // Read the end condition before the bytes, so the last lines written before the end are never missed.
            var ended = File.Exists(Path.Combine(directory, "exit-code")) || await gone();
            position = await CopyNewAsync(log, position, output, cancellationToken);
            if (ended)
            {
                var exit = Path.Combine(directory, "exit-code");
                await output.WriteLineAsync(File.Exists(exit)
                    ? $"-- attempt {attempt.Number} ended, launcher exit code {File.ReadAllText(exit).Trim()}"
                    : $"-- attempt {attempt.Number}'s process is gone without an exit code (killed?)");
                return ExitCodes.Success;
            }
            await Task.Delay(poll, time, cancellationToken);
        }
    }

    private static async Task<long> CopyNewAsync(string log, long position, TextWriter output, CancellationToken cancellationToken)
    {
        if (!File.Exists(log))
            return position;
        await using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length <= position)
            return position;
        stream.Seek(position, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - position];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        await output.WriteAsync(Encoding.UTF8.GetString(buffer, 0, read));
        await output.FlushAsync(cancellationToken);
        return position + read;
    }

    /// <summary>The local backend's attempt folder: the handle's, else <c>attempts/{slug}</c> in the workspace.</summary>
    public static string LocalDirectory(Workspace workspace, AttemptRecord attempt) =>
        attempt.Handle?.GetValueOrDefault("directory") ?? Path.Combine(workspace.Root, "attempts", attempt.Slug);

    private static int Fail(IAnsiConsole console, string message) => LogsCommand.Fail(console, message);
}
