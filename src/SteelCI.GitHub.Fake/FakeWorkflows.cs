namespace SteelCI.GitHub.Fake;

/// <summary>A workflow of a repository as the fake keeps it (its file under .github/workflows on the default branch).</summary>
public sealed class FakeWorkflow
{
    public required long Id { get; init; }
    public required string Owner { get; init; }
    public required string Repo { get; init; }
    /// <summary>The file name, e.g. <c>pipeline.yml</c>; the API accepts it in place of the id.</summary>
    public required string File { get; init; }
    /// <summary><c>active</c> or <c>disabled_manually</c> (the API's states; the fake models no others).</summary>
    public string State { get; set; } = "active";
    /// <summary>Every change of state, oldest first: (state, when on the fake's clock).</summary>
    public List<(string State, DateTimeOffset At)> History { get; } = [];
}

public sealed partial class FakeGitHubState
{
    private readonly List<FakeWorkflow> workflows = [];
    private long nextWorkflowId = 70000;

    /// <summary>Makes a workflow file exist in the repository (GitHub knows a workflow once its file is on the default branch).</summary>
    public FakeWorkflow AddWorkflow(string owner, string repo, string file)
    {
        lock (Gate)
        {
            var workflow = new FakeWorkflow { Id = ++nextWorkflowId, Owner = owner, Repo = repo, File = file };
            workflows.Add(workflow);
            return workflow;
        }
    }

    /// <summary>A snapshot of a workflow's state, or null when the repository has no such workflow.</summary>
    public FakeWorkflow? Workflow(string owner, string repo, string file)
    {
        lock (Gate)
            return FindWorkflow(owner, repo, file);
    }

    internal FakeWorkflow? FindWorkflow(string owner, string repo, string idOrFile) => workflows.FirstOrDefault(w =>
        string.Equals(w.Owner, owner, StringComparison.OrdinalIgnoreCase) && string.Equals(w.Repo, repo, StringComparison.OrdinalIgnoreCase)
        && (w.File == idOrFile || w.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == idOrFile));
}
