using ImageScanning.Contracts;
using ImageScanning.Findings.Lifecycle;

namespace ImageScanning.Services.Tests.Findings;

/// <summary>Inspector's StringFilters on ListFindingAggregations' groups: EQUALS any of, PREFIX any of, NOT_EQUALS none of.</summary>
public sealed class AggregationCriteriaTests
{
    private static FindingCountRow Row(string repository, string? key = null, string digest = "sha256:aa") =>
        new("local", repository, digest, key, FindingSeverity.HIGH, FixAvailable.YES, 1);

    private static AggregationCriterion C(AggregationField field, StringFilterComparison comparison, string value) => new(field, comparison, value);

    [Test]
    public void Criteria_of_one_field_match_any_equal_or_prefix_and_exclude_not_equal_ones()
    {
        IReadOnlyList<AggregationCriterion> criteria =
        [
            C(AggregationField.Repository, StringFilterComparison.PREFIX, "apps/"),
            C(AggregationField.Repository, StringFilterComparison.NOT_EQUALS, "apps/old"),
        ];
        var admitted = new[] { "apps/shop", "apps/old", "tools/ci" }
            .Where(r => AggregationCriteria.Admits(criteria, FindingAggregationType.REPOSITORY, Row(r))).ToList();
        var either = new[] { "a", "b", "c" }.Where(r => AggregationCriteria.Admits(
            [C(AggregationField.Repository, StringFilterComparison.EQUALS, "a"), C(AggregationField.Repository, StringFilterComparison.EQUALS, "c")],
            FindingAggregationType.REPOSITORY, Row(r))).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(admitted, Is.EqualTo(new[] { "apps/shop" }));
            Assert.That(either, Is.EqualTo(new[] { "a", "c" }));
        });
    }

    [Test]
    public void Equals_and_prefix_filters_of_one_field_or_together_as_in_list_findings()
    {
        IReadOnlyList<AggregationCriterion> criteria =
        [
            C(AggregationField.Repository, StringFilterComparison.EQUALS, "tools/ci"),
            C(AggregationField.Repository, StringFilterComparison.PREFIX, "apps/"),
        ];
        var admitted = new[] { "apps/shop", "tools/ci", "tools/cd" }
            .Where(r => AggregationCriteria.Admits(criteria, FindingAggregationType.REPOSITORY, Row(r))).ToList();
        Assert.That(admitted, Is.EqualTo(new[] { "apps/shop", "tools/ci" }), "the semantics FindingCriteriaMatcher gives ListFindings");
    }

    [Test]
    public void Different_fields_combine_with_and_and_the_key_is_the_types_own_member()
    {
        IReadOnlyList<AggregationCriterion> criteria =
        [
            C(AggregationField.Repository, StringFilterComparison.EQUALS, "app"),
            C(AggregationField.PackageName, StringFilterComparison.PREFIX, "libssl"),
        ];
        Assert.Multiple(() =>
        {
            Assert.That(AggregationCriteria.Admits(criteria, FindingAggregationType.PACKAGE, Row("app", "libssl3")), Is.True);
            Assert.That(AggregationCriteria.Admits(criteria, FindingAggregationType.PACKAGE, Row("app", "zlib")), Is.False);
            Assert.That(AggregationCriteria.Admits(criteria, FindingAggregationType.PACKAGE, Row("other", "libssl3")), Is.False);
            Assert.That(AggregationCriteria.Admits([C(AggregationField.Image, StringFilterComparison.EQUALS, "local/app@sha256:aa")],
                FindingAggregationType.AWS_ECR_CONTAINER, Row("app")), Is.True);
        });
    }

    [Test]
    public void A_criterion_on_a_member_the_groups_do_not_carry_is_refused()
    {
        ListFindingAggregations Request(FindingAggregationType type, AggregationField field, bool titles = false) =>
            new(type, new FindingFilter(), AggregationSortBy.ALL, SortOrder.DESC, 10, null, [C(field, StringFilterComparison.EQUALS, "x")], titles);
        Assert.Multiple(() =>
        {
            Assert.That(AggregationCriteria.Unsupported(Request(FindingAggregationType.REPOSITORY, AggregationField.PackageName)), Does.Contain("PackageName"));
            Assert.That(AggregationCriteria.Unsupported(Request(FindingAggregationType.TITLE, AggregationField.Title)), Does.Contain("Title"),
                "titles are grouped only when finding titles are asked for");
            Assert.That(AggregationCriteria.Unsupported(Request(FindingAggregationType.TITLE, AggregationField.Title, titles: true)), Is.Null);
            Assert.That(AggregationCriteria.Unsupported(Request(FindingAggregationType.IMAGE_LAYER, AggregationField.LayerHash)), Is.Null);
        });
    }
}
