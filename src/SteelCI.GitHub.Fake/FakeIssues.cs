namespace SteelCI.GitHub.Fake;

/// <summary>An issue as the fake keeps it. Read it only under <see cref="FakeGitHubState.Gate"/>.</summary>
public sealed class FakeIssue
{
    public required long Id { get; init; }
    public required int Number { get; init; }
    public required string Owner { get; init; }
    public required string Repo { get; init; }
    public required string Title { get; set; }
    public string? Body { get; set; }
    /// <summary><c>open</c> or <c>closed</c>.</summary>
    public string State { get; set; } = "open";
    public string? StateReason { get; set; }
    public List<string> Labels { get; } = [];
    public List<string> Comments { get; } = [];
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; set; }
}

public sealed partial class FakeGitHubState
{
    private readonly List<FakeIssue> issues = [];
    private long nextIssueId = 90000;

    /// <summary>A snapshot of a repository's issues, lowest number first.</summary>
    public IReadOnlyList<FakeIssue> Issues(string owner, string repo)
    {
        lock (Gate)
            return IssuesOf(owner, repo).ToList();
    }

    internal IEnumerable<FakeIssue> IssuesOf(string owner, string repo) => issues
        .Where(i => string.Equals(i.Owner, owner, StringComparison.OrdinalIgnoreCase) && string.Equals(i.Repo, repo, StringComparison.OrdinalIgnoreCase))
        .OrderBy(i => i.Number);

    /// <summary>Issue numbers are per repository; pull requests share the sequence (the fake has none).</summary>
    internal FakeIssue AddIssue(string owner, string repo, string title, DateTimeOffset now)
    {
        var issue = new FakeIssue
        {
            Id = ++nextIssueId, Number = IssuesOf(owner, repo).Select(i => i.Number).DefaultIfEmpty(0).Max() + 1,
            Owner = owner, Repo = repo, Title = title, CreatedAt = now,
        };
        issues.Add(issue);
        return issue;
    }
}
