using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// The GitHub Actions job summary: when <c>GITHUB_STEP_SUMMARY</c> names a file, commands append Markdown to it
/// (status's table; run and tick add the same table after their step). Outside Actions it does nothing, and a
/// summary that cannot be written never fails the command.
/// </summary>
public static class JobSummary
{
    public const string Variable = "GITHUB_STEP_SUMMARY";

    /// <summary>Appends <paramref name="markdown"/> to the job summary; false when not in Actions or the file could not be written.</summary>
    public static bool Append(string markdown, Func<string, string?>? environment = null)
    {
        var path = (environment ?? Environment.GetEnvironmentVariable)(Variable);
        if (string.IsNullOrWhiteSpace(path))
            return false;
        try
        {
            File.AppendAllText(path, markdown.TrimEnd() + Environment.NewLine + Environment.NewLine);
            return true;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: could not write the job summary {path}: {error.Message}");
            return false;
        }
    }

    /// <summary>For <c>steelci run</c> and <c>steelci tick</c>: the status table of <paramref name="state"/>'s pipeline after the step.</summary>
    public static async Task AppendStatusAsync(Pipeline pipeline, IStateStore state, TimeProvider time, CancellationToken cancellationToken,
        Func<string, string?>? environment = null)
    {
        if (string.IsNullOrWhiteSpace((environment ?? Environment.GetEnvironmentVariable)(Variable)))
            return;
        var recorded = await state.LoadAsync(cancellationToken);
        if (recorded is not null)
            Append(StatusReport.Build(recorded, pipeline, time.GetUtcNow()).ToMarkdown(), environment);
    }

    /// <summary>
    /// For <c>steelci run</c> and <c>steelci tick</c> after their step: the status table (attempts, accounts, expected
    /// finish) when the state is the workspace's state.json, else the step's stage table.
    /// </summary>
    public static async Task AppendAfterStepAsync(Pipeline pipeline, RunSummary summary, Workspace workspace, TimeProvider time,
        CancellationToken cancellationToken, Func<string, string?>? environment = null)
    {
        if (string.IsNullOrWhiteSpace((environment ?? Environment.GetEnvironmentVariable)(Variable)))
            return;
        var state = pipeline.Store == "local" ? await new FileStateStore(workspace.State).LoadAsync(cancellationToken) : null;
        if (state is not null && state.RunId == summary.RunId)
        {
            Append(StatusReport.Build(state, pipeline, time.GetUtcNow()).ToMarkdown() + KeyNumbers(summary), environment);
            return;
        }
        var text = new System.Text.StringBuilder($"### SteelCI: {summary.Pipeline} · run {summary.RunId}\n\n| stage | status | wall time | release | error |\n|---|---|---|---|---|\n");
        foreach (var stage in summary.Stages)
            text.Append($"| {stage.Name} | {stage.Status.ToString().ToLowerInvariant()} | {StatusReport.Duration(stage.Wall)} | {stage.Release} | {stage.Error?.Replace("|", "\\|").ReplaceLineEndings(" ")} |\n");
        Append(text.ToString() + KeyNumbers(summary), environment);
    }

    /// <summary>The listed metrics of stages whose <c>metric</c> names several (the eda stage's key numbers), as a table; "" when none.</summary>
    public static string KeyNumbers(RunSummary summary)
    {
        var stages = summary.Stages.Where(s => s.KeyMetrics.Count > 1).ToList();
        if (stages.Count == 0)
            return "";
        var text = new System.Text.StringBuilder("\n\n| stage | key numbers |\n|---|---|\n");
        foreach (var stage in stages)
            text.Append($"| {stage.Name} | {SummaryTable.Metrics(stage)} |\n");
        return text.ToString();
    }
}
