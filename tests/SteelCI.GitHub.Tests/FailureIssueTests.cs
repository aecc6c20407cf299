using Microsoft.Extensions.Time.Testing;
using SteelCI.GitHub.Fake;

namespace SteelCI.GitHub.Tests;

/// <summary>
/// One issue per failed stage (issue 14 item 6), through real Octokit against the fake's issues API (evidence:
/// docs/github.md): opened once, commented on only when it says something new, closed when the stage succeeds.
/// </summary>
public sealed class FailureIssueTests
{
    [Fact]
    public async Task A_failure_opens_one_issue_a_repeat_adds_nothing_a_new_error_comments_and_success_closes_it()
    {
        await using var h = await Harness.StartAsync();
        var issues = new GitHubFailureIssues(h.Options());

        await issues.ReportAsync(await issues.OpenAsync(), "severstal", "seg1", "error A");
        await issues.ReportAsync(await issues.OpenAsync(), "severstal", "seg1", "error A"); // the next tick, same failure
        var issue = Assert.Single(h.Server.State.Issues(Harness.Owner, Harness.Repo));
        Assert.Equal(("SteelCI: stage seg1 of severstal failed", "open", "error A"), (issue.Title, issue.State, issue.Body));
        Assert.Equal([GitHubFailureIssues.Label], issue.Labels);
        Assert.Empty(issue.Comments);

        await issues.ReportAsync(await issues.OpenAsync(), "severstal", "seg1", "error B"); // retried, failed differently
        await issues.ReportAsync(await issues.OpenAsync(), "severstal", "seg1", "error B");
        Assert.Equal(["Failed again:\n\nerror B"], issue.Comments);

        Assert.True(await issues.ResolveAsync(await issues.OpenAsync(), "severstal", "seg1", "`seg1` succeeded; closing."));
        Assert.Equal(("closed", "completed"), (issue.State, issue.StateReason));
        Assert.False(await issues.ResolveAsync(await issues.OpenAsync(), "severstal", "seg1", "again")); // nothing open any more
        Assert.Equal(2, issue.Comments.Count);
    }

    [Fact]
    public async Task Another_stage_or_an_unlabelled_issue_with_the_same_title_is_not_taken_for_this_stages_issue()
    {
        await using var h = await Harness.StartAsync();
        var issues = new GitHubFailureIssues(h.Options());
        await issues.ReportAsync(await issues.OpenAsync(), "severstal", "seg2", "error");

        Assert.False(await issues.ResolveAsync(await issues.OpenAsync(), "severstal", "seg1", "done"));
        Assert.Equal("open", Assert.Single(h.Server.State.Issues(Harness.Owner, Harness.Repo)).State);
    }

    [Fact]
    public async Task A_token_without_issues_write_is_refused()
    {
        await using var server = await FakeGitHubServer.StartAsync(new FakeGitHubOptions
        {
            Token = Harness.Token, Time = new FakeTimeProvider(), DeniedPermissions = new HashSet<string> { "issues" },
        });
        var options = new GitHubStoreOptions
        {
            Owner = "acme", Repository = "checkpoints", ApiUrl = server.ApiUri, Token = Harness.Token, CacheDirectory = Path.GetTempPath(),
            MinMutationInterval = TimeSpan.Zero,
        };
        var issues = new GitHubFailureIssues(options);

        await Assert.ThrowsAsync<Octokit.ForbiddenException>(async () => await issues.ReportAsync(await issues.OpenAsync(), "p", "s", "e"));
        Assert.Empty(server.State.Issues("acme", "checkpoints"));
    }
}
