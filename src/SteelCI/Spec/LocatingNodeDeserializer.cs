using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace SteelCI.Spec;

/// <summary>Records where each spec mapping starts, so later checks (missing input, cycle) can name a line.</summary>
internal sealed class LocatingNodeDeserializer(INodeDeserializer inner) : INodeDeserializer
{
    public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer,
        out object? value, ObjectDeserializer rootDeserializer)
    {
        var start = reader.Current?.Start;
        if (!inner.Deserialize(reader, expectedType, nestedObjectDeserializer, out value, rootDeserializer))
            return false;
        if (value is SpecNode node && start is not null)
            node.Start = start;
        return true;
    }
}

/// <summary>Reads a scalar into a <see cref="SpecRef"/> that keeps its position.</summary>
internal sealed class SpecRefNodeDeserializer : INodeDeserializer
{
    public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer,
        out object? value, ObjectDeserializer rootDeserializer)
    {
        value = null;
        if (expectedType != typeof(SpecRef))
            return false;
        if (!reader.TryConsume<Scalar>(out var scalar))
            throw new YamlException(reader.Current!.Start, reader.Current.End, "an input must be a name (a stage or a dataset)");
        value = new SpecRef(scalar.Value, scalar.Start);
        return true;
    }
}

/// <summary>Reads a Kaggle account written as a plain name (<c>- alice</c>) as an account with every default.</summary>
internal sealed class KaggleAccountNodeDeserializer : INodeDeserializer
{
    public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer,
        out object? value, ObjectDeserializer rootDeserializer)
    {
        value = null;
        if (expectedType != typeof(KaggleAccountSpec) || !reader.TryConsume<Scalar>(out var scalar))
            return false;
        value = new KaggleAccountSpec { Name = scalar.Value, Start = scalar.Start, ShortForm = true };
        return true;
    }
}
