using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SteelCI.GitHub.Fake;

/// <summary>Issues: create, list, get, update (close), comment (evidence: docs/github.md, "Issues in the fake").</summary>
internal sealed partial class FakeGitHubApi
{
    private void MapIssues(RouteGroupBuilder api)
    {
        api.MapGet($"/{Repo}/issues", ListIssues);
        api.MapPost($"/{Repo}/issues", CreateIssue);
        api.MapGet($"/{Repo}/issues/{{number:int}}", GetIssue);
        api.MapMethods($"/{Repo}/issues/{{number:int}}", ["PATCH"], UpdateIssue);
        api.MapPost($"/{Repo}/issues/{{number:int}}/comments", CommentIssue);
        api.MapGet($"/{Repo}/issues/{{number:int}}/comments", ListComments);
    }

    private Task ListComments(HttpContext context)
    {
        List<object>? list;
        lock (State.Gate)
            list = FindIssue(context) is { } issue ? issue.Comments.Select((c, n) => CommentJson(issue, n, c)).ToList() : null;
        return list is null ? NotFound(context) : WritePage(context, list); // oldest first, as GitHub lists them
    }

    private object CommentJson(FakeIssue issue, int index, string text) => new
    {
        id = issue.Id * 100 + index + 1, body = text,
        issue_url = $"{ApiBase}repos/{issue.Owner}/{issue.Repo}/issues/{issue.Number}",
        created_at = Now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        updated_at = Now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        user = new { login = "github-actions[bot]", id = 41898282 },
    };

    private Task ListIssues(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var state = context.Request.Query["state"].ToString() is { Length: > 0 } s ? s : "open";
        var labels = context.Request.Query["labels"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        List<object> list;
        lock (State.Gate)
            list = State.IssuesOf(owner, repo)
                .Where(i => state == "all" || i.State == state)
                .Where(i => labels.All(l => i.Labels.Contains(l, StringComparer.OrdinalIgnoreCase)))
                .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Number) // newest first, the default sort
                .Select(IssueJson).ToList();
        return WritePage(context, list);
    }

    private async Task CreateIssue(HttpContext context)
    {
        if (Denied(context, "issues") is { } denied)
        {
            await denied;
            return;
        }
        var (owner, repo) = OwnerRepo(context);
        using var body = await ReadBody(context);
        if (body is null || Text(body.RootElement, "title") is not { Length: > 0 } title)
        {
            await WriteValidation(context, "Issue", "missing_field", "title");
            return;
        }
        object json;
        lock (State.Gate)
        {
            var issue = State.AddIssue(owner, repo, title, Now);
            issue.Body = Text(body.RootElement, "body");
            if (body.RootElement.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Array)
                issue.Labels.AddRange(labels.EnumerateArray().Select(l => l.GetString()).OfType<string>());
            json = IssueJson(issue);
        }
        await WriteJson(context, 201, json);
    }

    private Task GetIssue(HttpContext context)
    {
        object? json;
        lock (State.Gate)
            json = FindIssue(context) is { } issue ? IssueJson(issue) : null;
        return json is null ? NotFound(context) : WriteJson(context, 200, json);
    }

    private async Task UpdateIssue(HttpContext context)
    {
        if (Denied(context, "issues") is { } denied)
        {
            await denied;
            return;
        }
        using var body = await ReadBody(context);
        object? json;
        lock (State.Gate)
        {
            var issue = FindIssue(context);
            if (issue is not null && body is not null)
            {
                if (Text(body.RootElement, "title") is { Length: > 0 } title)
                    issue.Title = title;
                if (body.RootElement.TryGetProperty("body", out _))
                    issue.Body = Text(body.RootElement, "body");
                if (Text(body.RootElement, "state") is "open" or "closed" && Text(body.RootElement, "state") is { } state && state != issue.State)
                {
                    issue.State = state;
                    issue.ClosedAt = state == "closed" ? Now : null;
                    issue.StateReason = state == "closed" ? Text(body.RootElement, "state_reason") ?? "completed" : "reopened";
                }
            }
            json = issue is null ? null : IssueJson(issue);
        }
        await (json is null ? NotFound(context) : WriteJson(context, 200, json));
    }

    private async Task CommentIssue(HttpContext context)
    {
        if (Denied(context, "issues") is { } denied)
        {
            await denied;
            return;
        }
        using var body = await ReadBody(context);
        if (body is null || Text(body.RootElement, "body") is not { Length: > 0 } text)
        {
            await WriteValidation(context, "IssueComment", "missing_field", "body");
            return;
        }
        object? json;
        lock (State.Gate)
        {
            var issue = FindIssue(context);
            issue?.Comments.Add(text);
            json = issue is null ? null : CommentJson(issue, issue.Comments.Count - 1, text);
        }
        await (json is null ? NotFound(context) : WriteJson(context, 201, json));
    }

    private FakeIssue? FindIssue(HttpContext context)
    {
        var (owner, repo) = OwnerRepo(context);
        var number = int.Parse((string)context.Request.RouteValues["number"]!, CultureInfo.InvariantCulture);
        return State.IssuesOf(owner, repo).FirstOrDefault(i => i.Number == number);
    }

    private object IssueJson(FakeIssue i) => new
    {
        id = i.Id, node_id = $"I_{i.Id}", number = i.Number, title = i.Title, body = i.Body, state = i.State, state_reason = i.StateReason,
        locked = false, comments = i.Comments.Count,
        labels = i.Labels.Select((l, n) => new { id = i.Id * 10 + n, name = l, color = "d73a4a", @default = false }).ToList(),
        user = new { login = "github-actions[bot]", id = 41898282 },
        url = $"{ApiBase}repos/{i.Owner}/{i.Repo}/issues/{i.Number}", html_url = $"{BaseUri}{i.Owner}/{i.Repo}/issues/{i.Number}",
        comments_url = $"{ApiBase}repos/{i.Owner}/{i.Repo}/issues/{i.Number}/comments",
        created_at = i.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        updated_at = (i.ClosedAt ?? i.CreatedAt).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        closed_at = i.ClosedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };
}
