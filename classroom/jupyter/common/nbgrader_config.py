# nbgrader settings for every account on the hub (classroom/jupyterhub_config.py puts this
# folder on JUPYTER_CONFIG_PATH and sets the CLASSROOM_* variables).
import glob
import os
import pwd

from nbgrader.exchange.default.collect import ExchangeCollect

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
c.CourseDirectory.course_id = os.environ.get("CLASSROOM_COURSE_ID", "dl-course")
c.Exchange.root = os.environ["CLASSROOM_EXCHANGE"]
c.Exchange.assignment_dir = os.path.expanduser("~/homework")  # where students fetch to


class OwnerCheckedCollect(ExchangeCollect):
    """nbgrader's collect, leaving out submissions filed under another student's name.

    Anyone may write into the exchange's inbound folder, so a student could file a
    submission named after someone else. nbgrader notices (the folder's Unix owner
    differs from the name) but only warns, and would grade it as the other student's
    work. Here it is left out with an error, and that student's newest genuine
    submission is collected instead.
    """

    def init_src(self):
        super().init_src()  # the newest submission filed under each name
        kept = []
        for record in self.src_records:
            if not self._forged(record):
                kept.append(record)
                continue
            pattern = os.path.join(self.inbound_path,
                                   f"{record['username']}+{self.coursedir.assignment_id}+*")
            genuine = [r for r in map(self._path_to_record, glob.glob(pattern)) if not self._forged(r)]
            if genuine:
                kept.append(self._sort_by_timestamp(genuine)[0])
        self.src_records = kept

    def _forged(self, record):
        path = os.path.join(self.inbound_path, record["filename"])
        owner = pwd.getpwuid(os.stat(path).st_uid).pw_name
        if owner == record["username"]:
            return False
        self.log.error("Left out %s: filed as %s's submission but made by %s", path,
                       record["username"], owner)
        return True


# On Kubernetes every server runs as the same account (values.yaml sets CLASSROOM_ONE_ACCOUNT):
# there are no owners to check, and nbgrader's own collect is used.
if os.environ.get("CLASSROOM_ONE_ACCOUNT") != "1":
    c.ExchangeFactory.collect = OwnerCheckedCollect
