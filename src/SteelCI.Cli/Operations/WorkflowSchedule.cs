using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Running;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>
/// The scheduled workflow switches itself off when its ticks have nothing left to do (issue 14 item 4: fewer jobs), and
/// `steelci run` / `retry` switch it on again. Off: the tick of a pipeline whose state is on GitHub, inside GitHub
/// Actions (the workflow is the file in GITHUB_WORKFLOW_REF), when no stage runs or waits: every stage is done, or the
/// rest failed or is blocked behind a failure (a person must act: `steelci retry`). A stage that waits for quota keeps
/// the schedule on. On: the workflow named by STEELCI_WORKFLOW, else GITHUB_WORKFLOW_REF's, else pipeline.yml.
/// Needs `actions: write`; without it (or without the workflow file) the command says so and goes on.
/// </summary>
public static class WorkflowSchedule
{
    public const string DefaultFile = "pipeline.yml";

    /// <summary>Why the schedule may rest after this summary, or null while a stage runs or can still start.</summary>
    public static string? RestReason(RunSummary summary)
    {
        if (summary.Stages.Count == 0 || summary.Stages.Any(s => s.Status is StageStatus.Running or StageStatus.Pending))
            return null;
        var failed = summary.Stages.Where(s => s.Status == StageStatus.Failed).Select(s => s.Name).ToList();
        if (failed.Count == 0 && summary.Stages.All(s => s.Status is StageStatus.Complete or StageStatus.Reused))
            return "the pipeline is finished";
        return failed.Count == 0
            ? "every stage left is blocked"
            : $"blocked on a person: {string.Join(", ", failed)} failed (fix it, then `steelci retry {failed[0]} --store github` switches the schedule on again)";
    }

    /// <summary>In Actions, with the state on GitHub: disables the running workflow when <see cref="RestReason"/> says so.</summary>
    public static async Task RestIfDoneAsync(IAnsiConsole console, RunSummary summary, Spec.Pipeline pipeline, Workspace workspace)
    {
        if (pipeline.Store != "github" || Environment.GetEnvironmentVariable("GITHUB_ACTIONS") != "true"
            || GitHubWorkflowSchedule.FileFromRef(Environment.GetEnvironmentVariable("GITHUB_WORKFLOW_REF"), null) is not { } file
            || RestReason(summary) is not { } reason)
            return;
        var schedule = new GitHubWorkflowSchedule(Settings.GitHub(workspace), file);
        var change = await schedule.DisableAsync();
        console.WriteLine(change switch
        {
            ScheduleChange.Done => $"schedule: {reason}; workflow {file} disabled, so no more scheduled runs cost runner minutes " +
                "(`steelci run` or `steelci retry` enables it again; so does the Actions tab)",
            ScheduleChange.NotPermitted => $"schedule: {reason}, but disabling workflow {file} was refused (403): give the workflow " +
                "`permissions: actions: write`, or disable it in the Actions tab; until then every scheduled run costs at least a minute",
            ScheduleChange.NoSuchWorkflow => $"schedule: {reason}, but GitHub knows no workflow {file} in this repository (404); nothing disabled",
            _ => $"schedule: {reason}, but GitHub did not answer the request to disable workflow {file}; the next tick tries again",
        });
    }

    /// <summary>With the state on GitHub: enables the pipeline's workflow again (a no-op when it is on).</summary>
    public static async Task WakeAsync(IAnsiConsole console, Spec.Pipeline pipeline, Workspace workspace)
    {
        if (pipeline.Store != "github")
            return;
        var file = Environment.GetEnvironmentVariable("STEELCI_WORKFLOW") is { Length: > 0 } named
            ? named
            : GitHubWorkflowSchedule.FileFromRef(Environment.GetEnvironmentVariable("GITHUB_WORKFLOW_REF"), DefaultFile)!;
        var change = await new GitHubWorkflowSchedule(Settings.GitHub(workspace), file).EnableAsync();
        console.WriteLine(change switch
        {
            ScheduleChange.Done => $"schedule: workflow {file} enabled (the scheduled ticks carry on from here)",
            ScheduleChange.NotPermitted => $"schedule: enabling workflow {file} was refused (403): the token needs `actions: write`, or enable it in the Actions tab",
            ScheduleChange.NoSuchWorkflow => $"schedule: no workflow {file} in this repository (404); set STEELCI_WORKFLOW to the workflow file's name to have it enabled",
            _ => $"schedule: GitHub did not answer the request to enable workflow {file}; enable it in the Actions tab if it stays off",
        });
    }
}
