/* The invitee's page: a name, 商談に参加する, then the room in place. ES5 syntax only. */
(function (Mendan) {
  "use strict";

  var t = Mendan.t;
  var byId = Mendan.byId;
  var busy = false;

  function join(event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    var name = byId("display-name").value;
    if (!name.replace(/\s+/g, "")) {
      Mendan.setText(byId("error-message"), Mendan.errorText("invalid_name"));
      byId("display-name").focus();
      return;
    }
    busy = true;
    var button = byId("join-button");
    button.disabled = true;
    Mendan.setText(button, t("invite.joining"));
    Mendan.setText(byId("error-message"), "");
    var media = Mendan.RoomMedia.earlyRequest();
    if (media) {
      media.catch(function () {
        return null;
      });
    }
    Mendan.request("POST", "/api/invite/join", { token: Mendan.config.invite, display_name: name }, function (error, data) {
      busy = false;
      button.disabled = false;
      Mendan.setText(button, t("invite.join"));
      if (error) {
        Mendan.setText(byId("error-message"), Mendan.errorText(error));
        return;
      }
      Mendan.show(byId("invite-panel"), false);
      var room = new Mendan.Room({ ticket: data.ticket, askBeforeMedia: false });
      room.show();
      room.start();
      room.startMedia(media);
    });
  }

  byId("invite-form").onsubmit = join;
})(Mendan);
