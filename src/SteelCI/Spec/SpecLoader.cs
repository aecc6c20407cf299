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
            .WithNodeDeserializer(inner => new LocatingNodeDeserializer(inner), s => s.InsteadOf<ObjectNodeDeserializer>())
            .Build();
        PipelineSpec? spec;
        try
        {
            spec = deserializer.Deserialize<PipelineSpec?>(yaml);
        }
        catch (YamlException error)
        {
            throw new SpecException(At(file, error.Start), Explain(error));
        }
        if (spec is null)
            throw new SpecException(new SpecLocation(file, 1, 1), "the pipeline file is empty");
        SpecValidator.Validate(spec, file);
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
            return message;
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
        _ => "this mapping",
    };

    [GeneratedRegex("Property '(?<key>[^']+)' not found on type '(?<type>[^']+)'")]
    private static partial Regex UnknownProperty();
}
