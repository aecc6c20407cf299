using Microsoft.Extensions.Time.Testing;
using SteelCI.GitHub.Fake;

namespace SteelCI.GitHub.Tests;

/// <summary>
/// The workflow switching itself off and on (issue 14 item 4) through real Octokit against the fake's
/// <c>actions/workflows/{file}/disable|enable</c> (evidence: docs/github.md).
/// </summary>
public sealed class WorkflowScheduleTests
{
    [Fact]
    public async Task Disable_then_enable_changes_the_workflows_state_by_file_name()
    {
        await using var h = await Harness.StartAsync();
        var workflow = h.Server.State.AddWorkflow(Harness.Owner, Harness.Repo, "pipeline.yml");
        var schedule = new GitHubWorkflowSchedule(h.Options(), "pipeline.yml");

        Assert.Equal(ScheduleChange.Done, await schedule.DisableAsync());
        Assert.Equal("disabled_manually", h.Server.State.Workflow(Harness.Owner, Harness.Repo, "pipeline.yml")!.State);
        Assert.Equal(ScheduleChange.Done, await schedule.EnableAsync());
        Assert.Equal("active", workflow.State);
        Assert.Equal(["disabled_manually", "active"], workflow.History.Select(c => c.State));
        Assert.Contains(h.Server.State.Requests, r => r is { Method: "PUT", Status: 204 } && r.Path.EndsWith("/actions/workflows/pipeline.yml/disable"));
    }

    [Fact]
    public async Task The_numeric_id_works_as_well_as_the_file_name()
    {
        await using var h = await Harness.StartAsync();
        var workflow = h.Server.State.AddWorkflow(Harness.Owner, Harness.Repo, "pipeline.yml");

        Assert.Equal(ScheduleChange.Done, await new GitHubWorkflowSchedule(h.Options(), workflow.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).DisableAsync());
        Assert.Equal("disabled_manually", workflow.State);
    }

    [Fact]
    public async Task A_workflow_the_repository_does_not_have_is_reported_not_created()
    {
        await using var h = await Harness.StartAsync();
        h.Server.State.AddWorkflow(Harness.Owner, "another-repo", "pipeline.yml");

        Assert.Equal(ScheduleChange.NoSuchWorkflow, await new GitHubWorkflowSchedule(h.Options(), "pipeline.yml").DisableAsync());
        Assert.Null(h.Server.State.Workflow(Harness.Owner, Harness.Repo, "pipeline.yml"));
    }

    [Fact]
    public async Task A_token_without_actions_write_is_refused_and_nothing_changes()
    {
        await using var server = await FakeGitHubServer.StartAsync(new FakeGitHubOptions
        {
            Token = Harness.Token, Time = new FakeTimeProvider(), DeniedPermissions = new HashSet<string> { "actions" },
        });
        var workflow = server.State.AddWorkflow("acme", "checkpoints", "pipeline.yml");
        var options = new GitHubStoreOptions
        {
            Owner = "acme", Repository = "checkpoints", ApiUrl = server.ApiUri, Token = Harness.Token, CacheDirectory = Path.GetTempPath(),
            MinMutationInterval = TimeSpan.Zero,
        };

        Assert.Equal(ScheduleChange.NotPermitted, await new GitHubWorkflowSchedule(options, "pipeline.yml").DisableAsync());
        Assert.Equal("active", workflow.State);
        Assert.Contains(server.State.Requests, r => r is { Method: "PUT", Status: 403 });
    }

    [Theory]
    [InlineData("team/severstal-ci/.github/workflows/pipeline.yml@refs/heads/main", "pipeline.yml")]
    [InlineData("team/severstal-ci/.github/workflows/train.yaml@refs/tags/v1", "train.yaml")]
    [InlineData("", "fallback.yml")]
    [InlineData("not a workflow ref", "fallback.yml")]
    public void The_workflow_file_comes_from_GITHUB_WORKFLOW_REF(string workflowRef, string expected) =>
        Assert.Equal(expected, GitHubWorkflowSchedule.FileFromRef(workflowRef, "fallback.yml"));
}
