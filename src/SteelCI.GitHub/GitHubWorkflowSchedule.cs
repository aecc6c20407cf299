using Octokit;

namespace SteelCI.GitHub;

/// <summary>What asking GitHub to switch a workflow on or off came to.</summary>
public enum ScheduleChange
{
    /// <summary>GitHub answered 204: the workflow is now in the asked state.</summary>
    Done,
    /// <summary>404: no such workflow file on the default branch (or the token cannot see the repository).</summary>
    NoSuchWorkflow,
    /// <summary>403: the token lacks <c>actions: write</c>.</summary>
    NotPermitted,
    /// <summary>Another answer (5xx, rate limit) or no answer: the workflow's state is unknown; the next call tries again.</summary>
    Failed,
}

/// <summary>
/// Turns the pipeline's own workflow off when there is nothing left for its schedule to do, and on again
/// (<c>PUT /repos/{owner}/{repo}/actions/workflows/{file}/disable|enable</c>, which needs <c>actions: write</c>).
/// A disabled workflow runs neither on its schedule nor on dispatch until enabled.
/// </summary>
public sealed class GitHubWorkflowSchedule(GitHubStoreOptions options, string workflowFile)
{
    private readonly GitHubClient client = GitHubArtifactStore.CreateClient(options);

    public string WorkflowFile { get; } = workflowFile;

    public Task<ScheduleChange> DisableAsync() => SwitchAsync(enable: false);

    public Task<ScheduleChange> EnableAsync() => SwitchAsync(enable: true);

    private async Task<ScheduleChange> SwitchAsync(bool enable)
    {
        try
        {
            if (enable)
                await client.Actions.Workflows.Enable(options.Owner, options.Repository, WorkflowFile);
            else
                await client.Actions.Workflows.Disable(options.Owner, options.Repository, WorkflowFile);
            return ScheduleChange.Done;
        }
        catch (NotFoundException)
        {
            return ScheduleChange.NoSuchWorkflow;
        }
        catch (ForbiddenException)
        {
            return ScheduleChange.NotPermitted;
        }
        catch (ApiException)
        {
            return ScheduleChange.Failed;
        }
        catch (HttpRequestException)
        {
            return ScheduleChange.Failed;
        }
    }

    /// <summary>
    /// The workflow file this job runs in: the file name in Actions' <c>GITHUB_WORKFLOW_REF</c>
    /// (<c>owner/repo/.github/workflows/pipeline.yml@refs/heads/main</c>), else <paramref name="fallback"/>.
    /// </summary>
    public static string? FileFromRef(string? workflowRef, string? fallback)
    {
        if (workflowRef is { Length: > 0 } && workflowRef.Split('@')[0] is var path && path.Contains("/.github/workflows/", StringComparison.Ordinal))
            return path[(path.LastIndexOf('/') + 1)..];
        return fallback;
    }
}
