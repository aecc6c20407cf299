using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using SteelCI.Kaggle.Backend;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci logs &lt;stage&gt; [pipeline] [--attempt N] [--follow]</c>: an attempt's log (the last attempt by default).
/// Local attempts: <c>attempts/{slug}/log.txt</c>, and <c>--follow</c> tails it until the attempt ends. Kaggle
/// attempts: the log collected into the workspace, else the final log asked of Kaggle (Kaggle has no live log: a
/// running kernel's log is only available once its session ends).
/// </summary>
public static class LogsCommand
{
    public static Command Create(CliServices services)
    {
        var stage = new Argument<string>("stage") { Description = "The stage whose attempt's log to show" };
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var attempt = new Option<int?>("--attempt") { Description = "Attempt number (default: the last one)" }.Positive();
        var follow = new Option<bool>("--follow", "-f") { Description = "Local backend: keep printing the log until the attempt ends" };
        var poll = new Option<double>("--poll-seconds") { Description = "With --follow: seconds between reads", DefaultValueFactory = _ => 1 }.Positive();
        var store = new Option<string?>("--store") { Description = "local or github: where the state is kept (default: the pipeline file's store)" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("logs", "Show an attempt's log (--follow tails a running local or Slurm attempt)")
        {
            stage, pipeline, workspace, attempt, follow, poll, store,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(stage)!, result.GetValue(attempt), result.GetValue(follow), TimeSpan.FromSeconds(Math.Max(0.01, result.GetValue(poll))),
            kaggle.Read(result), services, cancellationToken, result.GetValue(store)));
        return command;
    }

    public static async Task<int> RunAsync(string specPath, string? workspaceRoot, string stageName, int? number, bool follow,
        TimeSpan poll, KaggleRunOptions.Values backend, CliServices services, CancellationToken cancellationToken,
        string? store = null)
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

        if (attempt.Backend == "slurm" && context.Pipeline?.Compute.Slurm?.SshHost is not null && attempt.Handle is not null)
        {
            // The SSH route: log.txt read by SFTP from the attempt's folder on the login node.
            using var slurm = services.Slurm(context.Pipeline);
            if (follow && attempt.IsActive)
                console.WriteLine("note: --follow reads the log over SSH once; showing what exists now.");
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
            if (follow && attempt.IsActive && attempt.Handle is not null && context.Pipeline is { } pipeline)
            {
                using var slurm = services.Slurm(pipeline);
                var handle = new Ports.AttemptHandle(attempt.Slug, attempt.Handle);
                return await FollowAsync(log, attempt, output, poll, time,
                    async () => (await slurm.Backend.PollAsync(handle, cancellationToken)).IsFinished, cancellationToken);
            }
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

        if (follow && attempt.IsActive)
            console.WriteLine("note: Kaggle has no live log; showing what exists now.");
        var collected = Path.Combine(context.Workspace.Root, "kaggle", "outputs", attempt.Slug, "log.txt");
        if (File.Exists(collected))
        {
            await output.WriteAsync(await File.ReadAllTextAsync(collected, cancellationToken));
            return ExitCodes.Success;
        }
        if (attempt.Handle is null)
            return Fail(console, $"attempt {attempt.Number} ({attempt.Slug}) was never confirmed by Kaggle; it has no log");
        if (attempt.IsActive)
            return Fail(console, $"attempt {attempt.Number} ({attempt.Slug}) is still {attempt.State.ToString().ToLowerInvariant()} on Kaggle: " +
                "its log is available once the session ends (Kaggle's API gives no live log); see it in the browser meanwhile: " +
                $"https://www.kaggle.com/code/{attempt.Handle.GetValueOrDefault("owner")}/{attempt.Handle.GetValueOrDefault("kernel")}");
        using var wiring = services.Kaggle(backend, context.Workspace.Root, console);
        var account = attempt.Account ?? attempt.Handle.GetValueOrDefault("account");
        var client = wiring.Clients.FirstOrDefault(c => c.Account.Name == account);
        if (client is null)
            return Fail(console, $"attempt {attempt.Number} ran on Kaggle account '{account}', which is not configured; add --account {account}");
        var version = int.Parse(attempt.Handle["version"], CultureInfo.InvariantCulture);
        var session = await client.ListKernelSessionOutputAsync(attempt.Handle["owner"], attempt.Handle["kernel"], version, cancellationToken);
        await output.WriteAsync(KernelLog.ToText(session.Log));
        return ExitCodes.Success;
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

    internal static int Fail(IAnsiConsole console, string message, int code = ExitCodes.InvalidInput)
    {
        console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return code;
    }
}
