import { expect } from "chai";
import { ORDER_PLACED, ORDER_STATUS_CHANGED, notificationFor, recipientFilterPolicy } from "../../domain/notifications";
import type { Order } from "../../domain/order";

const order: Order = {
  OrderId: "ec6b14fa-d31a-4c83-9fc4-9ee5e62a5c11",
  ownerId: "467ebf83",
  customerName: "Dinesh",
  product: "Headlight",
  quantity: 1,
  status: "SHIPPED",
  createdAt: "2026-11-27T10:00:00.000Z",
};

describe("customer notifications", () => {
  it("tells the owner, and only the owner, that their order changed status", () => {
    expect(notificationFor(ORDER_STATUS_CHANGED, order)).to.deep.equal({
      userId: "467ebf83",
      subject: "Your order ec6b14fa-d31a-4c83-9fc4-9ee5e62a5c11 is SHIPPED",
      message: "Hello Dinesh, your order ec6b14fa-d31a-4c83-9fc4-9ee5e62a5c11 for 1 x Headlight is now SHIPPED.",
    });
  });

  it("words the placed-order mail from the order", () => {
    expect(notificationFor(ORDER_PLACED, order).message).to.equal(
      "Hello Dinesh, your order ec6b14fa-d31a-4c83-9fc4-9ee5e62a5c11 for 1 x Headlight is placed. We will e-mail you when it ships.",
    );
  });

  it("filters each subscription on its user's id", () => {
    expect(recipientFilterPolicy("467ebf83")).to.deep.equal({ userId: ["467ebf83"] });
  });
});
