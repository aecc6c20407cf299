using System.Reflection;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;
using YamlDotNet.Serialization.NodeDeserializers;

namespace SteelCI.Spec;

/// <summary>Reads steelci.yml into typed objects; every problem is a <see cref="SpecException"/> with file:line:column.</summary>
public static partial class SpecLoader
{
    private static readonly INamingConvention Naming = UnderscoredNamingConvention.Instance;

    public static PipelineSpec Load(string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new SpecException(new SpecLocation(fullPath, 0, 0), "pipeline file not found");
        return Parse(File.ReadAllText(fullPath), fullPath);
    }

    public static PipelineSpec Parse(string yaml, string file)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(Naming)
            .WithDuplicateKeyChecking()
            .WithNodeDeserializer(new SpecRefNodeDeserializer(), s => s.OnTop())
            .WithNodeDeserializer(new KaggleAccountNodeDeserializer(), s => s.OnTop())
            .WithNodeDeserializer(inner => new LocatingNodeDeserializer(inner), s => s.InsteadOf<ObjectNodeDeserializer>())
            .Build();
        PipelineSpec? spec;
        try
        {
            spec = deserializer.Deserialize<PipelineSpec?>(yaml);
        }
        catch (YamlException error)
        {
            var message = Explain(error);
            // The scanner reports a tab at the mapping it was reading; the user needs the line with the tab.
            var location = message.Contains("tab", StringComparison.Ordinal) && TabLine(yaml) is { } tab
                ? new SpecLocation(file, tab.Line, tab.Column)
                : At(file, error.Start);
            throw new SpecException(location, message);
        }
        if (spec is null)
            throw new SpecException(new SpecLocation(file, 1, 1), "the pipeline file is empty");
        SpecNulls.Check(spec, yaml, file);
        SpecValidator.Validate(spec, file);
        ComputeValidator.Validate(spec, yaml, file);
        return spec;
    }

    internal static SpecLocation At(string file, Mark? mark) =>
        mark is { } m ? new SpecLocation(file, m.Line, m.Column) : new SpecLocation(file, 1, 1);

    private static string Explain(YamlException error)
    {
        var innermost = error;
        while (innermost.InnerException is YamlException inner)
            innermost = inner;
        var message = innermost.InnerException?.Message ?? innermost.Message;
        var unknown = UnknownProperty().Match(message);
        if (!unknown.Success)
            return Plain(message);
        var type = Type.GetType(unknown.Groups["type"].Value) ?? typeof(PipelineSpec).Assembly.GetType(unknown.Groups["type"].Value);
        var allowed = type is null ? "" : "; allowed: " + string.Join(", ", KeysOf(type));
        return $"unknown key '{unknown.Groups["key"].Value}' in {SectionName(type)}{allowed}";
    }

    private static IEnumerable<string> KeysOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => Naming.Apply(p.Name));

    private static string SectionName(Type? type) => type?.Name switch
    {
        nameof(PipelineSpec) => "the pipeline",
        nameof(StageSpec) => "a stage",
        nameof(DatasetSpec) => "a dataset",
        nameof(GenerateSpec) => "a dataset's generate",
        nameof(BudgetSpec) => "a budget",
        nameof(ProfileSpec) => "a profile",
        nameof(StageOverrideSpec) => "a profile's stage override",
        nameof(TrainerSpec) => "trainer",
        nameof(ComputeSpec) => "compute",
        nameof(LocalComputeSpec) => "compute.local",
        nameof(KaggleComputeSpec) => "compute.kaggle",
        nameof(KaggleAccountSpec) => "a compute.kaggle account",
        nameof(SlurmComputeSpec) => "compute.slurm",
        nameof(ScheduleSpec) => "schedule",
        _ => "this mapping",
    };

    /// <summary>YamlDotNet's and .NET's wording (types, parser events) in the words of the pipeline file.</summary>
    private static string Plain(string message)
    {
        if (InvalidCast().Match(message) is { Success: true } cast)
            return $"expected {Shape(cast.Groups["type"].Value)} here, found a single value";
        if (NoDeserializer().Match(message) is { Success: true } none)
            return $"expected {Shape(none.Groups["type"].Value)} here";
        if (ExpectedEvent().Match(message) is { Success: true } expected)
            return $"expected {Event(expected.Groups["want"].Value)} here, found {Event(expected.Groups["got"].Value)}";
        if (NotABoolean().Match(message) is { Success: true } boolean)
            return $"'{boolean.Groups["value"].Value}' is not true or false";
        if (NotANumber().Match(message) is { Success: true } number)
            return $"'{number.Groups["value"].Value}' is not a number";
        if (message.Contains("found invalid tab", StringComparison.Ordinal) || message.Contains("found a tab character", StringComparison.Ordinal))
            return "a tab in the indentation; YAML indents with spaces only";
        if (message.StartsWith("Failed to create an instance of type 'System.String'", StringComparison.Ordinal))
            return "expected a single value (a string) here, found a mapping or a list";
        if (message.StartsWith("Operation is not valid due to the current state of the object", StringComparison.Ordinal))
            return "malformed YAML here (an unclosed '{' or '[' on this or an earlier line?)";
        return message;
    }

    private static string Shape(string type) =>
        type.Contains("List`1", StringComparison.Ordinal) ? "a list such as [a, b]"
        : type.Contains("Dictionary`2", StringComparison.Ordinal) || type.StartsWith("SteelCI.Spec.", StringComparison.Ordinal) ? "a mapping (key: value lines)"
        : type.StartsWith("System.Int", StringComparison.Ordinal) || type.StartsWith("System.Double", StringComparison.Ordinal) ? "a number"
        : type.StartsWith("System.Boolean", StringComparison.Ordinal) ? "true or false"
        : "another kind of value";

    private static string Event(string name) => name switch
    {
        "SequenceStart" => "a list",
        "MappingStart" => "a mapping (key: value)",
        "Scalar" => "a single value",
        _ => name,
    };

    /// <summary>The first line indented with a tab (YAML allows only spaces), 1-based, with the tab's column.</summary>
    private static (int Line, int Column)? TabLine(string yaml)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t');
            if (tab >= 0 && tab < Math.Max(indent, 1))
                return (i + 1, tab + 1);
        }
        return null;
    }

    [GeneratedRegex(@"Invalid cast from 'System\.String' to '(?<type>[^']+)'")]
    private static partial Regex InvalidCast();

    [GeneratedRegex(@"No node deserializer was able to deserialize the node into type (?<type>\S+)")]
    private static partial Regex NoDeserializer();

    [GeneratedRegex(@"Expected '(?<want>\w+)', got '(?<got>\w+)'")]
    private static partial Regex ExpectedEvent();

    [GeneratedRegex(@"The input string '(?<value>[^']*)' was not in a correct format")]
    private static partial Regex NotANumber();

    [GeneratedRegex(@"The value ""(?<value>[^""]*)"" is not a valid YAML Boolean")]
    private static partial Regex NotABoolean();

    [GeneratedRegex("Property '(?<key>[^']+)' not found on type '(?<type>[^']+)'")]
    private static partial Regex UnknownProperty();
}
