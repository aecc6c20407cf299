using System.Globalization;
using System.Text.Json;

namespace SteelCI.Kaggle.Fake;

/// <summary>The JSON type of one request field, as the SDK's <c>FieldMetadata</c> declares it.</summary>
internal enum FieldKind { String, Int, Bool, Strings, Enum, Object, Objects }

internal sealed record FakeField(FieldKind Kind, IReadOnlySet<string>? EnumNames = null, FakeSchema? Schema = null);

/// <summary>
/// The request messages the fake serves, field for field as kagglesdk 0.1.37 writes them (<c>_fields</c> of
/// <c>kernels/types/kernels_api_service.py</c>, <c>blobs/types/blob_api_service.py</c>,
/// <c>datasets/types/dataset_api_service.py</c>, <c>security/types/oauth_service.py</c>). A request is checked the way
/// a proto3 JSON parser checks it [I: the service is generated from the same protos]: each name is the lowerCamelCase
/// JSON name or the proto field name, exactly; an unknown name, a string where a boolean belongs, a fraction where an
/// integer belongs or an enum name that does not exist is a 400 INVALID_ARGUMENT. Integers may come as strings and
/// enums as numbers (proto3 JSON allows both).
/// </summary>
internal sealed class FakeSchema(string message, IReadOnlyDictionary<string, FakeField> fields)
{
    public string Message => message;

    /// <summary>What is wrong with <paramref name="root"/>, or null when the SDK could have written it.</summary>
    public string? Check(JsonElement root, string path = "")
    {
        if (root.ValueKind != JsonValueKind.Object)
            return $"{(path == "" ? "the body" : path)}: expected a JSON object for {message}";
        foreach (var property in root.EnumerateObject())
        {
            var name = path + property.Name;
            if (!TryField(property.Name, out var field))
                return $"Invalid JSON payload received. Unknown name \"{property.Name}\" at '{(path == "" ? "" : path.TrimEnd('.'))}': Cannot find field in {message}.";
            if (property.Value.ValueKind == JsonValueKind.Null)
                continue;
            var error = CheckValue(field, property.Value, name);
            if (error is not null)
                return error;
        }
        return null;
    }

    /// <summary>The field's canonical (camelCase) name for a name as sent, when it is one of this message's fields.</summary>
    public string? Canonical(string sent) => fields.ContainsKey(sent) ? sent
        : fields.Keys.FirstOrDefault(k => Snake(k) == sent);

    private bool TryField(string sent, out FakeField field)
    {
        field = null!;
        var canonical = Canonical(sent);
        return canonical is not null && fields.TryGetValue(canonical, out field!);
    }

    private static string? CheckValue(FakeField field, JsonElement value, string name)
    {
        string Wrong(string expected) => $"Invalid value at '{name}' ({expected}), {value.GetRawText()}";
        switch (field.Kind)
        {
            case FieldKind.String:
                return value.ValueKind == JsonValueKind.String ? null : Wrong("TYPE_STRING");
            case FieldKind.Bool:
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : Wrong("TYPE_BOOL");
            case FieldKind.Int:
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _)
                    || value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                    ? null : Wrong("TYPE_INT64");
            case FieldKind.Enum:
                return value.ValueKind == JsonValueKind.String && field.EnumNames!.Contains(value.GetString()!)
                    || value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0 && n < field.EnumNames!.Count
                    ? null : Wrong("TYPE_ENUM");
            case FieldKind.Strings:
                if (value.ValueKind != JsonValueKind.Array)
                    return Wrong("TYPE_STRING, repeated");
                return value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) ? null : Wrong("TYPE_STRING, repeated");
            case FieldKind.Object:
                return field.Schema!.Check(value, name + ".");
            default:
                if (value.ValueKind != JsonValueKind.Array)
                    return Wrong("TYPE_MESSAGE, repeated");
                var i = 0;
                foreach (var item in value.EnumerateArray())
                    if (field.Schema!.Check(item, $"{name}[{i++}].") is { } error)
                        return error;
                return null;
        }
    }

    private static string Snake(string camel) => string.Concat(camel.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));

    private static FakeField S => new(FieldKind.String);
    private static FakeField I => new(FieldKind.Int);
    private static FakeField B => new(FieldKind.Bool);
    private static FakeField L => new(FieldKind.Strings);
    private static FakeField E(params string[] names) => new(FieldKind.Enum, names.ToHashSet(StringComparer.Ordinal));

    private static readonly FakeSchema Column = new("ApiDatasetColumn", new Dictionary<string, FakeField>
    {
        ["order"] = I, ["name"] = S, ["type"] = S, ["originalType"] = S, ["description"] = S,
    });

    private static readonly FakeSchema NewFile = new("ApiDatasetNewFile", new Dictionary<string, FakeField>
    {
        ["token"] = S, ["description"] = S, ["columns"] = new(FieldKind.Objects, Schema: Column),
    });

    private static FakeSchema Directory()
    {
        var fields = new Dictionary<string, FakeField> { ["name"] = S, ["files"] = new(FieldKind.Objects, Schema: NewFile) };
        var schema = new FakeSchema("ApiUploadDirectoryInfo", fields);
        fields["directories"] = new(FieldKind.Objects, Schema: schema);
        return schema;
    }

    private static readonly FakeSchema UploadDirectory = Directory();

    private static readonly FakeSchema VersionBody = new("ApiCreateDatasetVersionRequestBody", new Dictionary<string, FakeField>
    {
        ["versionNotes"] = S, ["deleteOldVersions"] = B, ["files"] = new(FieldKind.Objects, Schema: NewFile), ["subtitle"] = S,
        ["description"] = S, ["categoryIds"] = L, ["directories"] = new(FieldKind.Objects, Schema: UploadDirectory),
    });

    private static readonly Dictionary<string, FakeField> KernelLookup = new() { ["userName"] = S, ["kernelSlug"] = S, ["versionLabel"] = S };

    /// <summary>Request schemas by RPC method name.</summary>
    public static readonly IReadOnlyDictionary<string, FakeSchema> ByMethod = new Dictionary<string, FakeSchema>
    {
        ["SaveKernel"] = new("ApiSaveKernelRequest", new Dictionary<string, FakeField>
        {
            ["id"] = I, ["slug"] = S, ["newTitle"] = S, ["text"] = S, ["language"] = S, ["kernelType"] = S,
            ["datasetDataSources"] = L, ["kernelDataSources"] = L, ["competitionDataSources"] = L, ["categoryIds"] = L,
            ["isPrivate"] = B, ["enableGpu"] = B, ["enableInternet"] = B, ["dockerImagePinningType"] = S, ["modelDataSources"] = L,
            ["enableTpu"] = B, ["sessionTimeoutSeconds"] = I, ["priority"] = I, ["dockerImage"] = S,
            ["kernelExecutionType"] = E("KERNEL_EXECUTION_TYPE_UNSPECIFIED", "SAVE_AND_RUN_ALL", "INTER_ACTIVE", "QUICK_SAVE"),
            ["machineShape"] = S,
        }),
        ["GetKernelSessionStatus"] = new("ApiGetKernelSessionStatusRequest", KernelLookup),
        ["ListKernelSessionOutput"] = new("ApiListKernelSessionOutputRequest", new Dictionary<string, FakeField>(KernelLookup)
        {
            ["pageSize"] = I, ["pageToken"] = S,
        }),
        ["GetKernel"] = new("ApiGetKernelRequest", KernelLookup),
        ["ListKernels"] = new("ApiListKernelsRequest", new Dictionary<string, FakeField>
        {
            ["competition"] = S, ["dataset"] = S, ["parentKernel"] = S,
            ["group"] = E("KERNELS_LIST_VIEW_TYPE_UNSPECIFIED", "PROFILE", "UPVOTED", "EVERYONE", "COLLABORATION", "FORK", "BOOKMARKED",
                "RECENTLY_VIEWED", "PUBLIC_AND_USERS_PRIVATE"),
            ["kernelType"] = S, ["language"] = S, ["outputType"] = S, ["search"] = S,
            ["sortBy"] = E("HOTNESS", "COMMENT_COUNT", "DATE_CREATED", "DATE_RUN", "RELEVANCE", "SCORE_ASCENDING", "SCORE_DESCENDING",
                "VIEW_COUNT", "VOTE_COUNT"),
            ["user"] = S, ["page"] = I, ["pageSize"] = I, ["pageToken"] = S,
        }),
        ["DeleteKernel"] = new("ApiDeleteKernelRequest", new Dictionary<string, FakeField> { ["userName"] = S, ["kernelSlug"] = S }),
        ["GetAcceleratorQuotaStatistics"] = new("ApiGetAcceleratorQuotaStatisticsRequest", new Dictionary<string, FakeField>()),
        ["StartBlobUpload"] = new("ApiStartBlobUploadRequest", new Dictionary<string, FakeField>
        {
            ["type"] = E("API_BLOB_TYPE_UNSPECIFIED", "DATASET", "MODEL", "INBOX", "COMPETITION_SOLUTION"),
            ["name"] = S, ["contentType"] = S, ["contentLength"] = I, ["lastModifiedEpochSeconds"] = I,
        }),
        ["CreateDataset"] = new("ApiCreateDatasetRequest", new Dictionary<string, FakeField>
        {
            ["id"] = I, ["ownerSlug"] = S, ["slug"] = S, ["title"] = S, ["licenseName"] = S, ["isPrivate"] = B,
            ["files"] = new(FieldKind.Objects, Schema: NewFile), ["subtitle"] = S, ["description"] = S, ["categoryIds"] = L,
            ["directories"] = new(FieldKind.Objects, Schema: UploadDirectory),
        }),
        ["CreateDatasetVersion"] = new("ApiCreateDatasetVersionRequest", new Dictionary<string, FakeField>
        {
            ["ownerSlug"] = S, ["datasetSlug"] = S, ["body"] = new(FieldKind.Object, Schema: VersionBody),
        }),
        ["GetDatasetStatus"] = new("ApiGetDatasetStatusRequest", new Dictionary<string, FakeField> { ["ownerSlug"] = S, ["datasetSlug"] = S }),
        ["IntrospectToken"] = new("IntrospectTokenRequest", new Dictionary<string, FakeField> { ["token"] = S }),
    };
}
