namespace SteelCI.Kaggle.Fake;

/// <summary>A pushed kernel version, ready to run: its source and its attached datasets, already on disk.</summary>
public sealed record FakeRunRequest(
    string Owner,
    string Slug,
    int Version,
    string Source,
    bool Gpu,
    TimeSpan SessionTimeout,
    IReadOnlyList<FakeMountedDataset> Datasets,
    string WorkDirectory);

/// <summary>
/// A dataset (or competition, owner "competitions") as the kernel sees it: <c>/kaggle/input/{Mount}</c> holding the
/// files at <see cref="Directory"/>; Mount is the slug, or a nested path with FakeKaggleOptions.NestedInputLayout.
/// </summary>
public sealed record FakeMountedDataset(string Owner, string Slug, string Directory)
{
    public string Mount { get; init; } = Slug;
}

public enum FakeRunState { Running, Complete, Error }

public sealed record FakeLogEntry(string Stream, double Time, string Data);

/// <summary>One running kernel version.</summary>
public interface IFakeRun
{
    FakeRunState Poll(out string? failureMessage);
    /// <summary>The kernel's /kaggle/working, listed as its outputs once it has ended.</summary>
    string OutputDirectory { get; }
    IReadOnlyList<FakeLogEntry> Log();
    void Kill();
}

/// <summary>Starts pushed kernels: scripted (no process) or really, with python3 (<see cref="LocalKernelRunner"/>).</summary>
public interface IFakeKernelRunner
{
    IFakeRun Start(FakeRunRequest request);
}
