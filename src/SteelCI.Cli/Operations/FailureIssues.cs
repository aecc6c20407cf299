using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// The tick's GitHub issues (issue 14 item 6): inside GitHub Actions, with the state on GitHub, a failed stage has one
/// open issue (its error with the log's last lines, and what to do), and a stage that succeeds closes its issue.
/// Needs `issues: write`; without it the tick says so once per run and goes on (the failure is in the summary too).
/// </summary>
public static class FailureIssues
{
    public static async Task UpdateAsync(IAnsiConsole console, RunSummary summary, Spec.Pipeline pipeline, Workspace workspace)
    {
        if (pipeline.Store != "github" || Environment.GetEnvironmentVariable("GITHUB_ACTIONS") != "true")
            return;
        var issues = new GitHubFailureIssues(Settings.GitHub(workspace));
        try
        {
            var open = await issues.OpenAsync();
            foreach (var stage in summary.Stages.Where(s => s.Status == StageStatus.Failed))
            {
                var issue = await issues.ReportAsync(open, pipeline.Name, stage.Name, Body(pipeline, stage));
                console.WriteLine($"issue: {stage.Name} failed — {issue.HtmlUrl}");
            }
            foreach (var stage in summary.Stages.Where(s => s.Status is StageStatus.Complete or StageStatus.Reused))
                if (await issues.ResolveAsync(open, pipeline.Name, stage.Name, $"`{stage.Name}` succeeded" +
                        (stage.Release is null ? "" : $" (release `{stage.Release}`)") + "; closing."))
                    console.WriteLine($"issue: {stage.Name} succeeded, its failure issue is closed");
        }
        catch (Octokit.ForbiddenException)
        {
            console.WriteLine("issue: GitHub refused to list or open issues (403): give the workflow `permissions: issues: write` " +
                "to have each failed stage open one");
        }
        catch (Octokit.ApiException error) when (error.StatusCode == System.Net.HttpStatusCode.Gone)
        {
            console.WriteLine("issue: issues are turned off in this repository (410); failed stages are reported in the job summary only");
        }
    }

    public static string Body(Spec.Pipeline pipeline, StageSummary stage) =>
        $"""
        Stage `{stage.Name}` of pipeline `{pipeline.Name}` failed:

        ```
        {stage.Error ?? "(no error recorded)"}
        ```

        **What to do**
        1. Read the whole log: `steelci logs {stage.Name} {pipeline.SpecPath} --store github` (the error above ends with its last lines).
        2. Fix the cause (a deterministic failure fails again), then `steelci retry {stage.Name} {pipeline.SpecPath} --store github`:
           the next scheduled tick starts it, and retry switches the schedule on again if it had switched itself off.

        Later ticks leave `{stage.Name}` and the stages after it stopped until then. This issue closes itself when
        `{stage.Name}` succeeds.
        """;
}
