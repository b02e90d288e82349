"""An order process tested with the testing API: an exclusive gateway, a message and
mocked job workers."""

from camunda_orchestration_sdk.models import MessagePublicationRequest
from camunda_testkit.testing import assert_process_instance

ORDER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="orders">
  <bpmn:message id="paid-msg" name="payment-received">
    <bpmn:extensionElements>
      <zeebe:subscription correlationKey="=orderId"/>
    </bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="received"/>
    <bpmn:exclusiveGateway id="big-order" default="small"/>
    <bpmn:serviceTask id="review">
      <bpmn:extensionElements><zeebe:taskDefinition type="review-order"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="join"/>
    <bpmn:intermediateCatchEvent id="await-payment">
      <bpmn:messageEventDefinition messageRef="paid-msg"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="ship">
      <bpmn:extensionElements><zeebe:taskDefinition type="ship-order"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="shipped"/>
    <bpmn:sequenceFlow id="f1" sourceRef="received" targetRef="big-order"/>
    <bpmn:sequenceFlow id="big" sourceRef="big-order" targetRef="review">
      <bpmn:conditionExpression>=total &gt; 1000</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="big-order" targetRef="join"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="join"/>
    <bpmn:sequenceFlow id="f3" sourceRef="join" targetRef="await-payment"/>
    <bpmn:sequenceFlow id="f4" sourceRef="await-payment" targetRef="ship"/>
    <bpmn:sequenceFlow id="f5" sourceRef="ship" targetRef="shipped"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_big_order_is_reviewed_paid_and_shipped(camunda_cluster, camunda_client):
    cluster = camunda_cluster
    cluster.deploy_bpmn(ORDER_BPMN)
    review = cluster.mock_job_worker("review-order").complete({"approved": True})
    ship = cluster.mock_job_worker("ship-order").with_handler(
        lambda job: {"trackingId": f"T-{job.variables['orderId']}"}
    )

    order = cluster.create_process_instance("order", {"orderId": "A-1", "total": 1500})
    instance = assert_process_instance(cluster, order)
    instance.has_passed("big-order", "review").is_waiting_at("await-payment")

    camunda_client.publish_message(
        data=MessagePublicationRequest(name="payment-received", correlation_key="A-1")
    )

    instance.is_completed().has_passed("await-payment", "ship", "shipped")
    instance.has_variables({"approved": True, "trackingId": "T-A-1"}).has_no_incidents()
    assert [job.element_id for job in review.jobs + ship.jobs] == ["review", "ship"]


def test_a_small_order_skips_the_review(camunda_cluster, camunda_client):
    cluster = camunda_cluster
    cluster.deploy_bpmn(ORDER_BPMN)
    cluster.mock_job_worker("ship-order").complete()

    order = cluster.create_process_instance("order", {"orderId": "B-2", "total": 20})
    assert_process_instance(cluster, order).is_waiting_at("await-payment").has_not_passed("review")
    camunda_client.publish_message(
        data=MessagePublicationRequest(name="payment-received", correlation_key="B-2")
    )
    assert_process_instance(cluster, order).is_completed().has_not_passed("review")


# --- end of the docs example (docs/testkit.md, "Testing API") ---


def test_the_docs_show_this_example() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    docs = (root / "docs" / "testkit.md").read_text(encoding="utf-8")
    block = docs.split("<!-- testing-api-example:start -->\n```python\n")[1].split("```\n<!-- testing-api-example:end -->")[0]
    source = Path(__file__).read_text(encoding="utf-8")
    assert block == source.split("\n\n# --- end of the docs example")[0] + "\n"
