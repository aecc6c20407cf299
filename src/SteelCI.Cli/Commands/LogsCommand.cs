using System.CommandLine;
using Spectre.Console;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// <c>steelci logs &lt;stage&gt; [pipeline] [--attempt N] [--follow]</c>: an attempt's log (the last attempt by default).
/// Parses the arguments; <see cref="AttemptLogs"/> finds and shows the log (local, Slurm, Kaggle's live stream).
/// </summary>
public static class LogsCommand
{
    public static Command Create(CliServices services)
    {
        var stage = new Argument<string>("stage") { Description = "The stage whose attempt's log to show" };
        var pipeline = CommonOptions.Pipeline();
        var workspace = CommonOptions.Workspace();
        var attempt = new Option<int?>("--attempt") { Description = "Attempt number (default: the last one)" }.Positive();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing the log until the attempt ends (local, Slurm, and Kaggle's live log stream)" };
        var silence = new Option<double>("--silence-minutes") { Description = "With --follow on Kaggle: flag a log silent for longer than this", DefaultValueFactory = _ => AttemptLogs.DefaultSilence.TotalMinutes }.Positive();
        var poll = new Option<double>("--poll-seconds") { Description = "With --follow: seconds between reads", DefaultValueFactory = _ => 1 }.Positive();
        var store = new Option<string?>("--store") { Description = "local or github: where the state is kept (default: the pipeline file's store)" };
        var kaggle = new KaggleRunOptions();
        var command = new Command("logs", "Show an attempt's log (--follow tails a running attempt: local, Slurm, or Kaggle's live log)")
        {
            stage, pipeline, workspace, attempt, follow, poll, store, silence,
        };
        kaggle.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(pipeline)!, result.GetValue(workspace),
            result.GetValue(stage)!, result.GetValue(attempt), result.GetValue(follow), TimeSpan.FromSeconds(Math.Max(0.01, result.GetValue(poll))),
            kaggle.Read(result), services, cancellationToken, result.GetValue(store), TimeSpan.FromMinutes(result.GetValue(silence))));
        return command;
    }

    public static Task<int> RunAsync(string specPath, string? workspaceRoot, string stageName, int? number, bool follow,
        TimeSpan poll, KaggleRunOptions.Values backend, CliServices services, CancellationToken cancellationToken,
        string? store = null, TimeSpan? silenceLimit = null) =>
        new AttemptLogs(services, poll, silenceLimit ?? AttemptLogs.DefaultSilence)
            .ShowAsync(specPath, workspaceRoot, stageName, number, follow, backend, store, cancellationToken);

    /// <summary>The local backend's attempt folder: the handle's, else <c>attempts/{slug}</c> in the workspace.</summary>
    public static string LocalDirectory(Workspace workspace, AttemptRecord attempt) => AttemptLogs.LocalDirectory(workspace, attempt);

    internal static int Fail(IAnsiConsole console, string message, int code = ExitCodes.InvalidInput)
    {
        console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return code;
    }
}
