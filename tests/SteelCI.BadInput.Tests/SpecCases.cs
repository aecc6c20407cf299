namespace SteelCI.BadInput.Tests;

/// <summary>The pipeline file: YAML that does not parse, values of the wrong shape, names and references that cannot work.</summary>
public static class SpecCases
{
    private const string Head = "version: 1\nname: tiny\ntrainer: { project: trainer/T.csproj }\n";
    private const string D1 = "datasets:\n  d1: { generate: { entry: synth } }\n";

    /// <summary>validate on a pipeline file with this text: exit 2 naming the file and the line (0: the file only).</summary>
    private static Case Yaml(string name, string yaml, int line, string? says = null, string command = "validate") =>
        new("spec", name, 2, b => [command, b.Spec], b => line == 0 ? $"{b.Spec}: " : $"{b.Spec}:{line}:")
        {
            Setup = b => b.Write("steelci.yml", yaml),
            Then = (_, r) => { if (says is not null) Assert.Contains(says, r.Output); },
        };

    public static IEnumerable<Case> All() =>
    [
        new("spec", "pipeline file missing", 2, b => ["validate", Path.Combine(b.Work, "nope.yml")], b => Path.Combine(b.Work, "nope.yml")),
        new("spec", "pipeline file is a folder", 2, b => ["validate", b.Decoy], b => b.Decoy),
        Yaml("empty file", "", 1, "empty"),
        Yaml("only comments", "# nothing here\n", 1, "empty"),
        Yaml("top level is a list", "- a\n- b\n", 1, "expected a mapping"),
        Yaml("top level is a scalar", "hello\n", 1, "expected a mapping"),
        Yaml("binary garbage", "\u0001\u0002\u00ff\u00fe", 1),
        Yaml("tab in the indentation", Head + D1 + "stages:\n\ts1: { entry: e }\n", 7, "tab in the indentation"),
        Yaml("tab deep in the file", Head + D1 + "stages:\n  s1:\n    entry: e\n\tinputs: [d1]\n", 9, "tab in the indentation"),
        Yaml("inputs as a mapping", Head + D1 + "stages:\n  s1:\n    entry: e\n    inputs: { a: b }\n", 9, "expected a list"),
        Yaml("inputs as a single string", Head + D1 + "stages:\n  s1:\n    entry: e\n    inputs: d1\n", 9, "expected a list such as [a, b]"),
        Yaml("epochs not a number", Head + D1 + "stages:\n  s1: { entry: e, inputs: [d1], budget: { epochs: many } }\n", 7, "'many' is not a number"),
        Yaml("version not a number", "version: one\nname: tiny\n", 1, "'one' is not a number"),
        Yaml("version 2", "version: 2\nname: tiny\n", 1, "version must be 1"),
        Yaml("name with capitals", "version: 1\nname: Tiny\ntrainer: { project: trainer/T.csproj }\n" + D1 + "stages:\n  s1: { entry: e }\n", 1, "name 'Tiny'"),
        Yaml("trainer missing", "version: 1\nname: tiny\n" + D1 + "stages:\n  s1: { entry: e, inputs: [d1] }\n", 1, "trainer.project"),
        Yaml("trainer as a string", "version: 1\nname: tiny\ntrainer: T.csproj\n", 3, "expected a mapping"),
        Yaml("trainer project does not exist", "version: 1\nname: tiny\ntrainer: { project: nope/X.csproj }\n" + D1 + "stages:\n  s1: { entry: e, inputs: [d1] }\n", 3, "nope/X.csproj"),
        Yaml("unknown top-level key", Head + "stagez: {}\n", 4, "unknown key 'stagez'"),
        Yaml("unknown stage key", Head + D1 + "stages:\n  s1: { entry: e, epochs: 3 }\n", 7, "unknown key 'epochs' in a stage"),
        Yaml("duplicate key", "version: 1\nversion: 1\n", 2, "duplicate key"),
        Yaml("unclosed brace", Head + D1 + "stages:\n  s1: { entry: e\n  s2: { entry: e }\n", 7, "unclosed"),
        Yaml("unclosed quote", "version: 1\nname: \"tiny\n", 2),
        Yaml("alias to nothing", Head + "stages: *nothere\n", 4),
        Yaml("stages with no value", Head + D1 + "stages:\n", 6, "'stages' has no value"),
        Yaml("stage with no value", Head + D1 + "stages:\n  s1:\n", 7, "'s1' has no value"),
        Yaml("stages as a list", Head + "stages:\n  - s1\n", 5, "expected a mapping"),
        Yaml("params nested", Head + D1 + "stages:\n  s1: { entry: e, inputs: [d1], params: { a: { b: c } } }\n", 7, "expected a single value"),
        Yaml("param with no value", Head + D1 + "stages:\n  s1:\n    entry: e\n    params:\n      lr:\n", 10, "'lr' has no value"),
        Yaml("input that does not exist", Head + D1 + "stages:\n  s1: { entry: e, inputs: [d2] }\n", 7, "input 'd2'"),
        Yaml("stage lists itself", Head + D1 + "stages:\n  s1: { entry: e, inputs: [s1] }\n", 7, "lists itself"),
        Yaml("a cycle", Head + D1 + "stages:\n  s1: { entry: e, inputs: [s2] }\n  s2: { entry: e, inputs: [s1] }\n", 8, "cycle"),
        Yaml("unknown backend", Head + "backend: cloud\n" + D1 + "stages:\n  s1: { entry: e }\n", 1, "backend 'cloud' is not one of: local, kaggle, slurm"),
        Yaml("unknown store", Head + "store: s3\n" + D1 + "stages:\n  s1: { entry: e }\n", 1, "store 's3'"),
        Yaml("unknown accelerator", Head + D1 + "stages:\n  s1: { entry: e, accelerator: tpu }\n", 7, "accelerator 'tpu'"),
        Yaml("zero epochs", Head + D1 + "stages:\n  s1: { entry: e, budget: { epochs: 0 } }\n", 7, "budget.epochs"),
        Yaml("negative minutes per epoch", Head + D1 + "stages:\n  s1: { entry: e, budget: { minutes_per_epoch: -1 } }\n", 7, "minutes_per_epoch"),
        Yaml("session minutes zero", Head + "session_minutes: 0\n" + D1 + "stages:\n  s1: { entry: e }\n", 1, "session_minutes"),
        Yaml("no stages", Head + D1 + "stages: {}\n", 1, "no stages"),
        Yaml("dataset without a source", Head + "datasets:\n  d1: { }\nstages:\n  s1: { entry: e }\n", 5, "needs a path"),
        Yaml("dataset name with a slash", Head + "datasets:\n  a/b: { generate: { entry: synth } }\nstages:\n  s1: { entry: e }\n", 5, "dataset name 'a/b'"),
        Yaml("dataset and stage share a name", Head + D1 + "stages:\n  d1: { entry: e }\n", 5, "both a dataset and a stage"),
        Yaml("dataset path missing", Head + "datasets:\n  d1: { path: ../nowhere }\nstages:\n  s1: { entry: e, inputs: [d1] }\n", 5, "does not exist"),
        Yaml("profile overrides an unknown stage", Head + D1 + "stages:\n  s1: { entry: e }\nprofiles:\n  p: { stages: { s9: { epochs: 1 } } }\n", 9, "'s9'"),
        Yaml("stage that can never fit a session", Head + D1 + "stages:\n  s1: { entry: e, budget: { epochs: 100, minutes_per_epoch: 60 } }\n", 0, "cannot resume"),
        Yaml("plan: a stage that can never fit a session", Head + D1 + "stages:\n  s1: { entry: e, budget: { epochs: 100, minutes_per_epoch: 60 } }\n", 0, "cannot resume", "plan"),
        Yaml("plan: one epoch longer than a session", Head + D1 + "stages:\n  s1: { entry: e, resumable: true, budget: { epochs: 1, minutes_per_epoch: 2000 } }\n", 0, "does not fit in a session", "plan"),
        Yaml("competition dataset on the local backend", Head + "datasets:\n  d1: { competition: severstal-steel-defect-detection }\nstages:\n  s1: { entry: e, inputs: [d1] }\n", 5, "--data d1=DIR"),
        new("spec", "an unknown profile", 2, b => ["validate", b.Spec, "--profile", "nope"], b => "profile 'nope'"),
        new("spec", "BOM and CRLF line ends are read as usual", 0, b => ["validate", b.Spec], _ => "s2")
        {
            Setup = b => b.WriteBytes("steelci.yml", [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(Sandbox.TinySpec.ReplaceLineEndings("\r\n"))]),
            MayWrite = _ => [],
        },
    ];
}
