using System.Globalization;
using Spectre.Console;
using SteelCI.Cli;
using SteelCI.Contracts;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Cli.Tests;

/// <summary>
/// The Severstal pipeline file (profile ci) with a workspace of the test's own, a recorded state written by hand, and a
/// console whose output the test reads.
/// </summary>
public sealed class Harness : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    public static readonly KaggleRunOptions.Values NoKaggle = new(null, [], null, null);

    private readonly StringWriter _output = new();

    public Harness()
    {
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_output),
        });
        Console.Profile.Width = 400;
    }

    public TempDirectory Dir { get; } = new("cli");
    public string Spec => Repository.File("kernels", "severstal", "steelci.yml");
    public string WorkspaceRoot => Dir.Combine("ws");
    public Workspace Workspace => new(WorkspaceRoot);
    public IAnsiConsole Console { get; }

    /// <summary>What Program.cs gives every command, with this harness's console (for standard output and error) and the given clock.</summary>
    public CliServices Services(TimeProvider time) => new(time, Console, Console, new SystemProcessRunner());
    public string Output => _output.ToString();

    public FileStateStore StateStore => new(Workspace.State);

    public Task SaveAsync(RunState state) => StateStore.SaveAsync(state, default);

    public async Task<RunState> LoadAsync() => (await StateStore.LoadAsync(default))!;

    public static RunState NewState(params (string Name, StageStatus Status, AttemptRecord[] Attempts)[] stages)
    {
        var state = new RunState { Pipeline = "severstal", RunId = "20261125-100000-abcdef", StartedUtc = Start, UpdatedUtc = Start };
        foreach (var (name, status, attempts) in stages)
            state.Stages[name] = new StageState { ContentKey = new string('a', 64), Status = status, Attempts = attempts.ToList() };
        return state;
    }

    public static AttemptRecord Attempt(string stage, int number, AttemptState state, string backend = "local", string? account = null,
        DateTimeOffset? started = null, Dictionary<string, string>? handle = null) => new()
    {
        Slug = $"severstal-{stage}-aaaaaaaa-a{number}-0000{number}",
        Number = number,
        Backend = backend,
        Account = account,
        State = state,
        StartedUtc = started ?? Start,
        EndedUtc = state is AttemptState.Queued or AttemptState.Running ? null : (started ?? Start).AddMinutes(5),
        Handle = handle,
    };

    /// <summary>A release folder as the local store keeps it: manifest.json only, with lineage inputs.</summary>
    public void Release(string tag, string stage, DateTimeOffset created, bool partial = false, int epochs = 2, params string[] inputs)
    {
        var weights = Dir.Write(Path.Combine("ws", "releases", tag, "model.bin"), "weights of " + tag);
        var manifest = new Manifest
        {
            Pipeline = "severstal", Stage = stage, Entry = stage, Status = partial ? OutputStatus.Partial : OutputStatus.Complete,
            ContentKey = tag.Split('-')[2] + new string('0', 52),
            Files = [new ManifestFile("model.bin", SteelCI.Hashing.Sha256.OfFile(weights), new FileInfo(weights).Length)],
            Progress = new SteelCI.Contracts.Progress(epochs, 4),
            Lineage = new Lineage
            {
                Inputs = inputs.Select(i => new InputLineage(i, i, "k")).ToList(), TrainerHash = "t", SteelciVersion = "0.1.0",
            },
            Runtime = new RuntimeInfo("0", "0", "cpu", 1, "linux"),
            CreatedUtc = created,
        };
        Dir.Write(Path.Combine("ws", "releases", tag, Manifest.FileName), Json.Serialize(manifest));
    }

    public static string Hours(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    public void Dispose() => Dir.Dispose();
}
