using Octokit;

namespace SteelCI.GitHub;

/// <summary>
/// One GitHub issue per failed stage (issue 14 item 6): opened when the stage fails, with its error (the log's last
/// lines) and what to do, commented on when a later tick finds it still failed with another error, and closed when
/// the stage succeeds. Issues are found again by their label and title, so no id needs to be stored. Needs
/// <c>issues: write</c>; without it (403) or with issues turned off in the repository (410) nothing is opened and
/// the caller says so.
/// </summary>
public sealed class GitHubFailureIssues(GitHubStoreOptions options)
{
    public const string Label = "steelci-failure";

    private readonly GitHubClient client = GitHubArtifactStore.CreateClient(options);

    public static string TitleFor(string pipeline, string stage) => $"SteelCI: stage {stage} of {pipeline} failed";

    /// <summary>The open failure issues of this repository, by title.</summary>
    public async Task<IReadOnlyDictionary<string, Issue>> OpenAsync()
    {
        var request = new RepositoryIssueRequest { State = ItemStateFilter.Open };
        request.Labels.Add(Label);
        var open = await client.Issue.GetAllForRepository(options.Owner, options.Repository, request);
        return open.GroupBy(i => i.Title).ToDictionary(g => g.Key, g => g.OrderBy(i => i.Number).First());
    }

    /// <summary>Opens the stage's issue, or comments on the open one when <paramref name="body"/> says something new.</summary>
    public async Task<Issue> ReportAsync(IReadOnlyDictionary<string, Issue> open, string pipeline, string stage, string body)
    {
        var title = TitleFor(pipeline, stage);
        if (open.TryGetValue(title, out var existing))
        {
            // Said already, in the issue or its newest comment: nothing new (a tick runs every few minutes).
            if (existing.Body != body)
            {
                var comments = await client.Issue.Comment.GetAllForIssue(options.Owner, options.Repository, existing.Number);
                if (comments.Count == 0 || !comments[^1].Body.EndsWith(body, StringComparison.Ordinal))
                    await client.Issue.Comment.Create(options.Owner, options.Repository, existing.Number, "Failed again:\n\n" + body);
            }
            return existing;
        }
        var issue = new NewIssue(title) { Body = body };
        issue.Labels.Add(Label);
        return await client.Issue.Create(options.Owner, options.Repository, issue);
    }

    /// <summary>Closes the stage's open issue (as completed) with a comment saying why.</summary>
    public async Task<bool> ResolveAsync(IReadOnlyDictionary<string, Issue> open, string pipeline, string stage, string comment)
    {
        if (!open.TryGetValue(TitleFor(pipeline, stage), out var existing))
            return false;
        await client.Issue.Comment.Create(options.Owner, options.Repository, existing.Number, comment);
        await client.Issue.Update(options.Owner, options.Repository, existing.Number,
            new IssueUpdate { State = ItemState.Closed, StateReason = ItemStateReason.Completed });
        return true;
    }
}
