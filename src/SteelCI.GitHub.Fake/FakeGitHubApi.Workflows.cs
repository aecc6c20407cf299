using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SteelCI.GitHub.Fake;

/// <summary>Actions workflows: get, disable, enable (evidence: docs/github.md, "Workflows and issues in the fake").</summary>
internal sealed partial class FakeGitHubApi
{
    private void MapWorkflows(RouteGroupBuilder api)
    {
        api.MapGet($"/{Repo}/actions/workflows/{{workflow}}", GetWorkflow);
        api.MapPut($"/{Repo}/actions/workflows/{{workflow}}/disable", context => SetWorkflowState(context, "disabled_manually"));
        api.MapPut($"/{Repo}/actions/workflows/{{workflow}}/enable", context => SetWorkflowState(context, "active"));
    }

    private Task GetWorkflow(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        object? body;
        lock (State.Gate)
            body = State.FindWorkflow(owner, repo, (string)context.Request.RouteValues["workflow"]!) is { } w ? WorkflowJson(w) : null;
        return body is null ? NotFound(context) : WriteJson(context, 200, body);
    }

    private Task SetWorkflowState(HttpContext context, string state)
    {
        if (Denied(context, "actions") is { } denied)
            return denied;
        var (owner, repo) = OwnerRepo(context);
        lock (State.Gate)
        {
            if (State.FindWorkflow(owner, repo, (string)context.Request.RouteValues["workflow"]!) is not { } workflow)
                return NotFound(context);
            workflow.State = state; // the same answer when it already was in that state [G]
            workflow.History.Add((state, Now));
        }
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private object WorkflowJson(FakeWorkflow w) => new
    {
        id = w.Id, node_id = $"W_{w.Id}", name = Path.GetFileNameWithoutExtension(w.File), path = $".github/workflows/{w.File}", state = w.State,
        url = $"{ApiBase}repos/{w.Owner}/{w.Repo}/actions/workflows/{w.Id}", html_url = $"{BaseUri}{w.Owner}/{w.Repo}/blob/main/.github/workflows/{w.File}",
        created_at = "2026-11-01T00:00:00Z", updated_at = "2026-11-01T00:00:00Z", badge_url = $"{BaseUri}{w.Owner}/{w.Repo}/workflows/{w.File}/badge.svg",
    };

    /// <summary>403 for a write the token's permissions do not cover (a GITHUB_TOKEN without <c>{permission}: write</c>).</summary>
    private Task? Denied(HttpContext context, string permission) => options.DeniedPermissions.Contains(permission)
        ? WriteMessage(context, 403, "Resource not accessible by integration")
        : null;
}
